"""Seed 004's sample payloads (Insider One "Webhooks for Conversational WhatsApp"), verbatim.

Copied character for character, placeholders (``{{MESSAGE_ID}}``) included, except that the page
indents with no-break spaces (U+00A0, a rendering artefact and not JSON whitespace): here they are
plain spaces. Three are not JSON as published (``"code": {{ERROR_CODE}}`` twice, and a ``// be
empty`` comment); :mod:`hookgate_dev.providers.hookgate_insider_one.samples` makes them JSON with
the smallest edit and says which. Names say what each sample is; a comment gives its line in the
seed file.
"""

from __future__ import annotations

# seed 004 line 74
SEED_ACCEPTED = """\
{
  "messaging_product": "whatsapp",
  "contacts": [
    {
      "input": "{{USER_PHONE_NUMBER}}",
      "wa_id": "{{WHATSAPP_ID}}"
    }
  ],
  "messages": [
    {
      "id": "{{MESSAGE_ID}}"
    }
  ],
  "key": "whatsapp-***********"
}
"""
# seed 004 line 148
SEED_ERROR = """\
{
  "error": {
    "message": "{{ERROR_MESSAGE}}",
    "type": "{{ERROR_TYPE}}",
    "code": {{ERROR_CODE}},
    "fbtrace_id": "{{FBTRACE_ID}}"
  },
  "key": "whatsapp-***********"
}
"""
# seed 004 line 168
SEED_ERROR_WITH_ERROR_DATA = """\
{
  "error": {
    "message": "(#130429) Rate limit hit",
    "type": "OAuthException",
    "code": 130429,
    "error_data": {
      "messaging_product": "whatsapp",
      "details": "Cloud API message throughput reached."
    }
  }
}
"""
# seed 004 line 199
SEED_ERROR_AUTH_0 = """\
{
  "error": {
    "message": "We were unable to authenticate the app user",
    "type": "OAuthException",
    "code": 0
  }
}
"""
# seed 004 line 206
SEED_ERROR_TOKEN_EXPIRED_190 = """\
{
  "error": {
    "message": "Your access token has expired",
    "type": "OAuthException",
    "code": 190
  }
}
"""  # noqa: S105 - an error payload, not a password
# seed 004 line 216
SEED_ERROR_RATE_LIMIT_130429 = """\
{
  "error": {
    "message": "(#130429) Rate limit hit",
    "type": "OAuthException",
    "code": 130429,
    "error_data": {
      "messaging_product": "whatsapp",
      "details": "Cloud API message throughput reached."
    }
  }
}
"""
# seed 004 line 227
SEED_ERROR_SPAM_131048 = """\
{
  "error": {
    "message": "Spam rate limit hit",
    "code": 131048,
    "error_data": {
      "messaging_product": "whatsapp",
      "details": "Too many messages sent from this phone number in a short period of time."
    }
  }
}
"""
# seed 004 line 240
SEED_ERROR_ACCESS_DENIED_131005 = """\
{
  "error": {
    "message": "Access denied",
    "code": 131005
  }
}
"""
# seed 004 line 246
SEED_ERROR_BLOCKED_368 = """\
{
  "error": {
    "message": "Account has been blocked for policy violations",
    "code": 368
  }
}
"""
# seed 004 line 259
SEED_ON_PREMISE_402 = """\
{
  "errors": [
    {
      "code": 402,
      "title": "Business eligibility issue",
      "details": "Payment issue preventing message delivery"
    }
  ]
}
"""
# seed 004 line 268
SEED_ON_PREMISE_408 = """\
{
  "errors": [
    {
      "code": 408,
      "title": "Message not valid",
      "details": "Message has been pending validation too long"
    }
  ]
}
"""
# seed 004 line 277
SEED_ON_PREMISE_429 = """\
{
  "errors": [
    {
      "code": 429,
      "title": "Rate limit exceeded",
      "details": "Too many requests in a given amount of time"
    }
  ]
}
"""
# seed 004 line 289
SEED_ON_PREMISE_2000 = """\
{
  "errors": [
    {
      "code": 2000,
      "title": "Template parameter mismatch",
      "details": "Number of parameters provided does not match expected parameter count"
    }
  ]
}
"""
# seed 004 line 298
SEED_ON_PREMISE_2060 = """\
{
  "errors": [
    {
      "code": 2060,
      "title": "Template rejected",
      "details": "Template has been rejected and cannot be used"
    }
  ]
}
"""
# seed 004 line 310
SEED_ON_PREMISE_500 = """\
{
  "errors": [
    {
      "code": 500,
      "title": "Internal server error",
      "details": "Temporary server issue, please retry"
    }
  ]
}
"""
# seed 004 line 453
SEED_STATUS = """\
{
  "entry": [
    {
      "changes": [
        {
          "field": "messages",
          "value": {
            "messaging_product": "whatsapp",
            "metadata": {
              "display_phone_number": "{{SENDER_PHONE_NUMBER}}",
              "phone_number_id": "{{SENDER_PHONE_NUMBER_ID}}"
            },
            "statuses": [
              {
                "id": "{{MESSAGE_ID}}",
                "recipient_id": "{{PHONE_NUMBER}}",
                "status": "{{STATUS}}",
                "timestamp": "1111111111"
              }
            ]
          }
        }
      ],
      "id": "111111111"
    }
  ],
  "key": "whatsapp-***********",
  "object": "whatsapp_business_account"
}
"""
# seed 004 line 588
SEED_FAILED = """\
{
  "key": "whatsapp-**************",
  "object": "whatsapp_business_account",
  "entry": [
    {
      "id": "1231313123",
      "changes": [
        {
          "value": {
            "messaging_product": "whatsapp",
            "metadata": {
              "display_phone_number": "{{SENDER_PHONE_NUMBER}}",
              "phone_number_id": "{{SENDER_PHONE_NUMBER_ID}}"
            },
            "statuses": [
              {
                "id": "{{MESSAGE_ID}}",
                "status": "failed",
                "timestamp": "1671526301",
                "recipient_id": "RECIPIENT_ID",
                "errors": [
                  {
                    "code": {{ERROR_CODE}},
                    "title": "{{ERROR_MESSAGE}}",
                    "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
                  }
                ]
              }
            ]
          },
          "field": "messages"
        }
      ]
    }
  ]
}
"""
# seed 004 line 683
SEED_REPLY_TEXT = """\
{
  "key": "whatsapp-******************", // be empty
  "object": "whatsapp_business_account",
  "entry": [
    {
      "id": "1231313123",
      "changes": [
        {
          "value": {
            "messaging_product": "whatsapp",
            "metadata": {
              "display_phone_number": "{{PHONE_NUMBER}}",
              "phone_number_id": "{{PHONE_NUMBER_ID}}"
            },
            "contacts": [
              {
                "profile": {
                  "name": "Insider"
                },
                "wa_id": "{{PHONE_NUMBER}}"
              }
            ],
            "messages": [
              {
                "from": "{{PHONE_NUMBER}}",
                "id": "{{MESSAGE_ID}}",
                "timestamp": "111111111",
                "text": {
                  "body": "{{MESSAGE_BODY}}"
                },
                "type": "text"
              }
            ]
          },
          "field": "messages"
        }
      ]
    }
  ]
}
"""
# seed 004 line 726
SEED_REPLY_STICKER = """\
{
  "object": "whatsapp_business_account",
  "entry": [
    {
      "id": "105710252456442",
      "changes": [
        {
          "value": {
            "messaging_product": "whatsapp",
            "metadata": {
              "display_phone_number": "{{PHONE_NUMBER}}",
              "phone_number_id": "{{PHONE_NUMBER_ID}}"
            },
            "contacts": [
              {
                "profile": {
                  "name": "Insider"
                },
                "wa_id": "{{PHONE_NUMBER}}"
              }
            ],
            "messages": [
              {
                "from": "393336188770",
                "id": "{{MESSAGE_ID}}",
                "timestamp": "1678889298",
                "type": "sticker",
                "sticker": {
                  "mime_type": "image/webp",
                  "sha256": "{{ENCODED_STICKER}}",
                  "id": "{{STICKER_ID}}",
                  "animated": true
                }
              }
            ]
          },
          "field": "messages"
        }
      ]
    }
  ]
}
"""
# seed 004 line 771
SEED_REPLY_VIDEO = """\
{
  "object": "whatsapp_business_account",
  "entry": [
    {
      "id": "105710252456442",
      "changes": [
        {
          "value": {
            "messaging_product": "whatsapp",
            "metadata": {
              "display_phone_number": "{{PHONE_NUMBER}}",
              "phone_number_id": "{{PHONE_NUMBER_ID}}"
            },
            "contacts": [
              {
                "profile": {
                  "name": "Insider"
                },
                "wa_id": "{{PHONE_NUMBER}}"
              }
            ],
            "messages": [
              {
                "from": "393336188770",
                "id": "{{MESSAGE_ID}}",
                "timestamp": "1678889564",
                "type": "video",
                "video": {
                  "mime_type": "video/mp4",
                  "sha256": "{{ENCODED_VIDEO}}",
                  "id": "{{VIDEO_ID}}"
                }
              }
            ]
          },
          "field": "messages"
        }
      ]
    }
  ]
}
"""
# seed 004 line 815
SEED_REPLY_IMAGE = """\
{
  "object": "whatsapp_business_account",
  "entry": [
    {
      "id": "105710252456442",
      "changes": [
        {
          "value": {
            "messaging_product": "whatsapp",
            "metadata": {
              "display_phone_number": "{{PHONE_NUMBER}}",
              "phone_number_id": "{{PHONE_NUMBER_ID}}"
            },
            "contacts": [
              {
                "profile": {
                  "name": "Insider"
                },
                "wa_id": "{{PHONE_NUMBER}}"
              }
            ],
            "messages": [
              {
                "from": "393336188770",
                "id": "{{MESSAGE_ID}}",
                "timestamp": "1678889571",
                "type": "image",
                "image": {
                  "mime_type": "image/jpeg",
                  "sha256": "{{ENCODED_IMAGE}}",
                  "id": "{{IMAGE_ID}}"
                }
              }
            ]
          },
          "field": "messages"
        }
      ]
    }
  ]
}
"""
# seed 004 line 859
SEED_REPLY_DOCUMENT = """\
{
  "object": "whatsapp_business_account",
  "entry": [
    {
      "id": "105710252456442",
      "changes": [
        {
          "value": {
            "messaging_product": "whatsapp",
            "metadata": {
              "display_phone_number": "{{PHONE_NUMBER}}",
              "phone_number_id": "{{PHONE_NUMBER_ID}}"
            },
            "contacts": [
              {
                "profile": {
                  "name": "Insider"
                },
                "wa_id": "{{PHONE_NUMBER}}"
              }
            ],
            "messages": [
              {
                "from": "393336188770",
                "id": "{{MESSAGE_ID}}",
                "timestamp": "1678889577",
                "type": "document",
                "document": {
                  "filename": "doc.pdf",
                  "mime_type": "application/pdf",
                  "sha256": "{{ENCODED_DOCUMENT}}",
                  "id": "{{DOCUMENT_ID}}"
                }
              }
            ]
          },
          "field": "messages"
        }
      ]
    }
  ]
}
"""
# seed 004 line 968
SEED_REPLY_BUTTON = """\
{
  "key": "whatsapp-**************",
  "object": "whatsapp_business_account",
  "entry": [
    {
      "id": "1231313123",
      "changes": [
        {
          "value": {
            "messaging_product": "whatsapp",
            "metadata": {
              "display_phone_number": "{{PHONE_NUMBER}}",
              "phone_number_id": "{{PHONE_NUMBER_ID}}"
            },
            "contacts": [
              {
                "profile": {
                  "name": "Insider"
                },
                "wa_id": "{{PHONE_NUMBER}}"
              }
            ],
            "messages": [
              {
                "context": {
                  "from": "{{PHONE_NUMBER}}",
                  "id": "MESSAGE_ID"
                },
                "from": "{{PHONE_NUMBER}}",
                "id": "{{MESSAGE_ID}}",
                "timestamp": "1111111",
                "type": "button",
                "button": {
                  "payload": "{{BUTTON_PAYLOAD}}",
                  "text": "{{BUTTON_TEXT}}"
                }
              }
            ]
          },
          "field": "messages"
        }
      ]
    }
  ]
}
"""

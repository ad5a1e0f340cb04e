"""The cyclic garbage collector paused for a Lambda cold start, then what it built frozen.

A cold start creates some 50,000 objects that live as long as the container (modules,
classes, models, plugins, AWS clients) and almost no garbage (about 150 unreachable objects
after the imports), yet the collector traverses them again and again while they are being
created: about 20 ms of a receiver's cold start. A handler module calls :func:`pause` before its
imports and :func:`resume` when its first invocation ends; :func:`resume` freezes every object
alive (:func:`gc.freeze`: left out of every later collection, warm invocations' included) and
turns the collector back on.

Once per process: nothing is paused when the collector is off or objects are already frozen
(a test process that imports a handler again and again freezes once).
"""

from __future__ import annotations

import gc

_state = {"paused": False}


def pause() -> None:
    """Pause the collector for the cold start, unless it is off or a freeze already happened."""
    if not gc.isenabled() or gc.get_freeze_count():  # off (or already paused), or frozen
        return
    gc.disable()
    _state["paused"] = True


def resume() -> None:
    """End the pause: freeze every object alive, then turn the collector on (else: nothing)."""
    if not _state["paused"]:
        return
    _state["paused"] = False
    gc.freeze()
    gc.enable()


def paused() -> bool:
    """Return True while a cold start's pause lasts."""
    return _state["paused"]

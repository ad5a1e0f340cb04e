"""A deliberately broken hookgate plugin."""

"""The web service: a FastAPI app (JSON API under /api, pages elsewhere) built by
``app.create_app(settings)``. Routes translate HTTP to use cases and back; they decide
nothing."""

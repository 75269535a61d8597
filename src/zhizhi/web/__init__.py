"""The web layer: FastAPI app with the JSON API and the server-rendered UI."""

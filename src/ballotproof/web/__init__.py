"""The audit workspace: a web service on the application layer (:mod:`ballotproof.usecases`).

``ballotproof serve`` runs :func:`ballotproof.web.app.create_app` on Uvicorn. Every route
declares who may use it (:mod:`ballotproof.web.access`); the app refuses to start otherwise.
"""

"""The moderator pages and the "try it" page, served by ``civility serve`` with the API.

``civility.web.routes.router`` is included by ``civility.api.create_app`` (see
``ROUTER_MODULES``); the pages read the same store and scorer as the API and decide comments
through the same service functions.
"""

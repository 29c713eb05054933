"""The HTTP protocol ``civility serve`` runs: uvicorn's, with its own refusals in Google's envelope.

A request uvicorn cannot parse (a malformed request line or header) never reaches the app;
uvicorn answers it with a ``text/plain`` 400. Clients of this server read JSON errors, so the
same refusal is sent as Google's envelope instead. Everything else is uvicorn's.
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from civility.api.errors import ApiError, google_error_body


class JsonErrorsProtocol(HttpToolsProtocol):
    def send_400_response(self, msg: str) -> None:
        body = json.dumps(google_error_body(ApiError(400, msg, "INVALID_REQUEST"))).encode()
        head = [b"HTTP/1.1 400 Bad Request\r\n"]
        for name, value in self.server_state.default_headers:
            head.append(name + b": " + value + b"\r\n")
        head.append(b"content-type: application/json\r\n")
        head.append(b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body))
        self.transport.write(b"".join(head) + body)
        self.transport.close()

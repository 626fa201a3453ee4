"""``python -m satupekerja.web [--host 127.0.0.1] [--port 8050]``: serve the web application (``make serve``).

Waitress-free on purpose: Werkzeug's threaded server is enough for a branch office on 127.0.0.1; behind a
reverse proxy in production, run the same ``create_app()`` under any WSGI server.
"""

from __future__ import annotations

import argparse

from satupekerja.settings import Settings
from satupekerja.web.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m satupekerja.web", description="Aplikasi web Satu Pekerja")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    args = parser.parse_args()
    app = create_app(Settings.from_env())
    try:
        app.extensions["sp_data"].latest().warm()
    except Exception as error:  # nothing published yet: the pages say so
        print(f"Peringatan: {error}")
    app.run(host=args.host, port=args.port, threaded=True, debug=False)


if __name__ == "__main__":
    main()

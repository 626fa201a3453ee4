"""The Satu Pekerja web application (Flask): see :mod:`satupekerja.web.app` and ``docs/web.md``."""

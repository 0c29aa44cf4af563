"""consult: participatory policy consultation for Dutch municipalities.

``create_app`` builds the Flask application; importing the package itself stays light
so that models and the CLI load quickly.
"""
__version__ = "0.1.0"


def create_app(config: dict | None = None):
    from consult.app import create_app as _create_app

    return _create_app(config)

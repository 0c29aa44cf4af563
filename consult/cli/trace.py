"""`consult trace ...`: advice-response traceability."""
import click

trace_group = click.Group("trace", help="Link advice points to response paragraphs.")

"""`consult export ...`: reports and data exports."""
import click

export_group = click.Group("export", help="Export reports and data.")

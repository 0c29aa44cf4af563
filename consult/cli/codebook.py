"""`consult codebook ...` and `consult code ...`: codebooks and automatic coding."""
import click

codebook_group = click.Group("codebook", help="Import, export and evaluate codebooks.")
code_group = click.Group("code", help="Code consultation segments against a codebook.")

"""`consult nlp ...`: train and evaluate the bundled Dutch spaCy pipeline."""
import click

nlp_group = click.Group("nlp", help="Train and evaluate the bundled Dutch NLP pipeline.")

"""A code's `exclude` terms survive storing a codebook version and reading it back."""
from analysis.codebook import diff, load_default_codebook
from consult.codebooks import store_codebook, version_to_definition


def test_exclude_terms_round_trip_through_the_database(session):
    cb = load_default_codebook()
    assert cb["MEEDOEN"].exclude                     # the bundled codebook has some
    version, created = store_codebook(session, cb)
    session.commit()
    back = version_to_definition(version)
    assert back["MEEDOEN"].exclude == cb["MEEDOEN"].exclude
    assert diff(cb, back).is_empty
    again, created_again = store_codebook(session, cb)
    assert not created_again and again.id == version.id   # same content: no new version

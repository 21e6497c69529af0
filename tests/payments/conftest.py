from tests.integrations.conftest import configure, make_dossier, sims  # noqa: F401

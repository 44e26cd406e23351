"""Everything that runs on Prefect: the check flow, nightly, serve, the server, Prefect settings,
artifacts. Nothing outside this package imports Prefect."""

"""The English messages: key -> str.format template (the keys and placeholders match ko.py's)."""

MESSAGES: dict[str, str] = {
    # -- session ---------------------------------------------------------------------------------------
    "session.checkpoint_passed": "✔ {message}",
    "session.checkpoint_failed": "Checkpoint failed: {message}",
    "session.banner": "Target: {target} ({where}) | account {account} | region {region}",
    "session.where_local": "pocketcloud at {endpoint}",
    "session.where_aws": "a real AWS account",
    "session.costs_money": (
        "Resources created here cost money in account {account} until you delete them: "
        "run notebooks/99_cleanup.ipynb (or python -m helpers.cleanup) when you are done."
    ),
    "session.starting_pocketcloud": "Starting pocketcloud (state in {state_dir}) ...",
    "session.pocketcloud_restarted": (
        "pocketcloud restarted (now at {endpoint}): resources created before are gone. "
        "Re-run this module's setup cells to recreate them."
    ),
}

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
    # -- aws: waits and progress bars --------------------------------------------------------------
    "aws.waiting.not_done": "{what}: not done after {seconds:.0f} s",
    "aws.waiting.going_on": "{message}; going on with what is there.",
    "aws.events.placeholder_address": (
        "{email} is a placeholder address that no one can read, so the subscription stays pending and SNS "
        "will email no one. Set EMAIL to your own address and run this step again to get the emails."
    ),
    "aws.events.confirmation_sent": (
        "SNS sent 'AWS Notification - Subscription Confirmation' to {email}. Open it and click 'Confirm "
        "subscription'; this cell waits up to {seconds:.0f} s for that click."
    ),
    "aws.events.waiting_confirmation": "waiting for {email} to confirm",
    "aws.events.confirmed": (
        "{email} confirmed the subscription: SNS now emails it every message published to the topic."
    ),
    "aws.events.not_confirmed": (
        "Not confirmed within {seconds:.0f} s, so SNS will not email {email}. The module goes on without "
        "the email (its checks say so); click the link later and re-run the upload step to get one."
    ),
    "aws.events.real_inbox": "The emails went to your real inbox.",
    "aws.events.mail_in_inbox": "mail {subject!r} in {email}'s inbox",
    "aws.events.sns_delivered": "SNS counted {count:.0f} notification(s) delivered by {topic}",
    "aws.events.waiting_email": "waiting for the email about {contains}",
    "aws.lambdas.becoming_ready": "function {name} becoming ready",
    "aws.lambdas.waiting_iam": "waiting for IAM to let Lambda use {name}'s role",
    "aws.lambdas.provisioning": "provisioning {count} environments",
    "aws.network.deleting_stack": "deleting stack {stack}",
    "aws.network.creating_stack": "creating stack {stack}",
    "aws.network.endpoint_available": "VPC endpoint {endpoint} becoming available",
    "aws.database.waiting_for": "waiting for {identifier}",
    "aws.proxy.available": "RDS Proxy becoming available",
    "aws.proxy.target_healthy": "RDS Proxy target becoming healthy",
    "aws.proxy.deleting": "deleting RDS Proxy",
    "aws.teardown.in_use": "{kind} {name} still in use, retrying",
    "aws.teardown.proxy_deleting": "DB proxy {name} being deleted",
    "aws.teardown.instance_deleting": "DB instance {name} being deleted",
    "aws.teardown.endpoint_deleting": "VPC endpoint {endpoint} being deleted",
    "aws.teardown.stack_deleting": "stack {name} being deleted",
    "aws.teardown.releasing_interfaces": "waiting for Lambda to release its network interfaces in {vpc}",
    "aws.teardown.kept_role": "  kept {name} for now: Lambda needs it to release network interfaces; run again later",
    "aws.teardown.could_not_delete": "  could not delete {kind} {name} yet ({reason}); run the cleanup again later",
    "aws.waiting.seconds_unit": "s",
    # -- aws.iam and measure: waits and partial data -----------------------------------------------
    "aws.iam.role": "role {name}",
    "aws.iam.policy_of_role": "policy {policy} of role {role}",
    "aws.iam.propagating": "letting IAM propagate {what}",
    "measure.metrics.gap_count": "{metric} {seen:.0f} of {count:.0f}",
    "measure.metrics.gap_minute": "{metric} (minute {minute:%H:%M} not published)",
    "measure.metrics.waiting_publish": "waiting for CloudWatch to publish {metrics}",
    "measure.metrics.partial": "CloudWatch has not published everything yet ({gaps}): the figures below are partial.",
    "measure.metrics.fresh_minute": "waiting for a fresh CloudWatch minute",
    "measure.invocations.waiting_reports": "waiting for {count} REPORT lines of {function}",
    "measure.traces.waiting": "waiting for {count} complete traces",
}

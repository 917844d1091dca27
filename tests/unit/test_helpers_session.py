"""Pure logic of the workshop toolkit: target detection, names, tags, hashing, masking, URLs, IAM guards."""

from __future__ import annotations

import io
import zipfile

import pytest

from helpers.aws.api import api_url
from helpers.aws.iam import allow, policy
from helpers.aws.lambdas import code_sha256, zip_folder
from helpers.session import CheckpointFailed, Workshop, connect, detect_target
from helpers.views.tables import mask


def test_the_aws_target_is_only_ever_chosen_explicitly() -> None:
    assert detect_target({"WORKSHOP_TARGET": "aws"}) == "aws"
    assert detect_target({"WORKSHOP_TARGET": " AWS "}) == "aws"
    assert detect_target({"WORKSHOP_TARGET": "LOCAL"}) == "local"
    assert detect_target({}) == "local"
    credentials = {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "x", "AWS_PROFILE": "default"}
    assert detect_target(credentials) == "local", "credentials alone must not deploy to a real account"
    with pytest.raises(ValueError, match="WORKSHOP_TARGET"):
        detect_target({"WORKSHOP_TARGET": "azure"})


def test_detection_ignores_a_default_profile_on_disk(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A laptop with ~/.aws/credentials and nothing else set stays local."""
    (tmp_path / "credentials").write_text("[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
                                          "aws_secret_access_key = x\n")  # fmt: skip
    for name in ("WORKSHOP_TARGET", "AWS_ENDPOINT_URL", "POCKETCLOUD_STATE_DIR", "AWS_ACCESS_KEY_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    import boto3

    assert boto3.Session().get_credentials() is not None
    assert detect_target() == "local"


def test_connect_refuses_an_unknown_target() -> None:
    with pytest.raises(ValueError, match="'local' or 'aws'"):
        connect("azure")


def test_the_aws_banner_names_account_region_and_cost() -> None:
    banner = Workshop("aws", "eu-west-1", "123456789012").banner()
    assert "account 123456789012" in banner and "region eu-west-1" in banner
    assert "cost money" in banner
    assert "cost money" not in Workshop("local", "us-east-1", "1", "http://127.0.0.1:4566").banner()


def test_measured_clients_make_one_attempt_control_plane_clients_retry() -> None:
    ws = Workshop("aws", "eu-west-1", "123456789012")
    assert ws.client("lambda", retries=False).meta.config.retries == {"total_max_attempts": 1, "mode": "standard"}
    assert ws.client("lambda").meta.config.retries == {"total_max_attempts": 9, "mode": "standard"}  # 8 retries
    assert ws.client("lambda") is ws.client("lambda") and ws.client("lambda") is not ws.client("lambda", retries=False)


def test_names_and_tags() -> None:
    ws = Workshop("local", "us-east-1", "123456789012", "http://127.0.0.1:4566")
    assert ws.name("db", "time") == "sas-db-time"
    assert ws.name("uploads", "", "-x-") == "sas-uploads-x"
    assert ws.tags == {"workshop": "serverless-at-scale"}
    assert ws.tag_list() == [{"Key": "workshop", "Value": "serverless-at-scale"}]
    assert ws.tag_list("key", "value") == [{"key": "workshop", "value": "serverless-at-scale"}]
    assert ws.default(local=1, aws=2) == 1
    assert Workshop("aws", "eu-west-1", "1").default(local=1, aws=2) == 2


def test_checkpoints_fail_with_the_message(capsys: pytest.CaptureFixture[str]) -> None:
    ws = Workshop("local", "us-east-1", "1")
    ws.check(True, "all good")
    assert "✔ all good" in capsys.readouterr().out
    with pytest.raises(CheckpointFailed, match="the API answers"):
        ws.check(False, "the API answers")


def test_zip_is_deterministic_and_hash_matches_lambda(tmp_path) -> None:
    (tmp_path / "lambda_function.py").write_text("def lambda_handler(e, c):\n    return 1\n")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "junk.pyc").write_bytes(b"\0")
    first, second = zip_folder(tmp_path), zip_folder(tmp_path)
    assert first == second
    assert zipfile.ZipFile(io.BytesIO(first)).namelist() == ["lambda_function.py"]
    assert code_sha256(first) == code_sha256(second) and len(code_sha256(first)) == 44
    (tmp_path / "lambda_function.py").write_text("def lambda_handler(e, c):\n    return 2\n")
    assert code_sha256(zip_folder(tmp_path)) != code_sha256(first)


def test_password_masking_never_shows_the_password() -> None:
    shown = mask("Sup3rSecretPassw0rd")
    assert "Sup3r" not in shown and "19 characters" in shown


def test_invoke_urls_per_target() -> None:
    local = Workshop("local", "us-east-1", "1", "http://127.0.0.1:4566")
    aws = Workshop("aws", "eu-west-1", "1")
    assert api_url(local, "abc123", "dev") == "http://127.0.0.1:4566/restapis/abc123/dev/_user_request_/"
    assert api_url(aws, "abc123", "dev") == "https://abc123.execute-api.eu-west-1.amazonaws.com/dev/"


def test_policies_refuse_wildcard_actions() -> None:
    assert policy(allow("sns:Publish", "arn:aws:sns:us-east-1:1:t"))["Statement"][0]["Action"] == ["sns:Publish"]
    for bad in ("*", "s3:*"):
        with pytest.raises(ValueError, match="wildcard"):
            allow(bad, "*")

"""한국어 메시지: key -> str.format template (the keys and placeholders match en.py's)."""

MESSAGES: dict[str, str] = {
    # -- session ---------------------------------------------------------------------------------------
    "session.checkpoint_passed": "✔ {message}",
    "session.checkpoint_failed": "체크포인트 실패: {message}",
    "session.banner": "대상: {target} ({where}) | 계정 {account} | 리전 {region}",
    "session.where_local": "pocketcloud(주소 {endpoint})",
    "session.where_aws": "실제 AWS 계정",
    "session.costs_money": (
        "여기서 만드는 리소스는 삭제할 때까지 계정 {account}에 요금이 청구됩니다. "
        "실습을 마치면 notebooks/99_cleanup.ipynb(또는 python -m helpers.cleanup)를 실행하세요."
    ),
    "session.starting_pocketcloud": "pocketcloud를 시작합니다(상태 저장 위치: {state_dir}) ...",
    "session.pocketcloud_restarted": (
        "pocketcloud가 다시 시작되었습니다(현재 주소: {endpoint}). 그 전에 만든 리소스는 사라졌습니다. "
        "이 모듈의 준비 셀을 다시 실행해 리소스를 다시 만드세요."
    ),
}

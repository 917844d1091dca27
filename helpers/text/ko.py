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
    # -- aws: waits and progress bars --------------------------------------------------------------
    "aws.waiting.not_done": "{what}: {seconds:.0f}초가 지나도 끝나지 않았습니다",
    "aws.waiting.going_on": "{message}. 지금 있는 결과로 계속합니다.",
    "aws.events.placeholder_address": (
        "{email}은(는) 아무도 읽을 수 없는 예시 주소라서 구독은 확인 대기 상태로 남고 SNS는 누구에게도 "
        "이메일을 보내지 않습니다. 이메일을 받으려면 EMAIL에 본인 주소를 넣고 이 단계를 다시 실행하세요."
    ),
    "aws.events.confirmation_sent": (
        "SNS가 {email}(으)로 'AWS Notification - Subscription Confirmation' 메일을 보냈습니다. 메일을 "
        "열어 'Confirm subscription'을 클릭하세요. 이 셀은 클릭을 최대 {seconds:.0f}초 기다립니다."
    ),
    "aws.events.waiting_confirmation": "{email}의 구독 확인 대기",
    "aws.events.confirmed": (
        "{email}이(가) 구독을 확인했습니다. 이제 SNS는 주제에 게시되는 모든 메시지를 이 주소로 보냅니다."
    ),
    "aws.events.not_confirmed": (
        "{seconds:.0f}초 안에 확인되지 않아 SNS는 {email}(으)로 이메일을 보내지 않습니다. 모듈은 이메일 "
        "없이 계속 진행합니다(체크포인트가 그렇게 알려 줍니다). 나중에 링크를 클릭하고 업로드 단계를 다시 "
        "실행하면 이메일을 받을 수 있습니다."
    ),
    "aws.events.real_inbox": "이메일은 실제 받은편지함으로 전송되었습니다.",
    "aws.events.mail_in_inbox": "{email} 받은편지함에 도착한 메일 {subject!r}",
    "aws.events.sns_delivered": "SNS 집계: {topic}에서 알림 {count:.0f}건 전송됨",
    "aws.events.waiting_email": "{contains}에 관한 이메일 대기",
    "aws.lambdas.becoming_ready": "함수 {name} 준비 대기",
    "aws.lambdas.waiting_iam": "Lambda가 {name}의 역할을 쓸 수 있도록 IAM 전파 대기",
    "aws.lambdas.provisioning": "실행 환경 {count}개 프로비저닝",
    "aws.network.deleting_stack": "스택 {stack} 삭제",
    "aws.network.creating_stack": "스택 {stack} 생성",
    "aws.network.endpoint_available": "VPC 엔드포인트 {endpoint} 사용 가능 대기",
    "aws.database.waiting_for": "{identifier} 대기",
    "aws.proxy.available": "RDS Proxy 사용 가능 대기",
    "aws.proxy.target_healthy": "RDS Proxy 대상 정상 상태 대기",
    "aws.proxy.deleting": "RDS Proxy 삭제",
    "aws.teardown.in_use": "{kind} {name} 아직 사용 중, 재시도",
    "aws.teardown.proxy_deleting": "DB 프록시 {name} 삭제 중",
    "aws.teardown.instance_deleting": "DB 인스턴스 {name} 삭제 중",
    "aws.teardown.endpoint_deleting": "VPC 엔드포인트 {endpoint} 삭제 중",
    "aws.teardown.stack_deleting": "스택 {name} 삭제 중",
    "aws.teardown.releasing_interfaces": "Lambda가 {vpc}의 네트워크 인터페이스를 해제하기를 대기",
    "aws.teardown.kept_role": (
        "{name}은(는) 일단 남겨 둡니다. Lambda가 네트워크 인터페이스를 해제하려면 이 역할이 필요합니다. "
        "나중에 다시 실행하세요"
    ),
    "aws.teardown.could_not_delete": (
        "{kind} {name}을(를) 아직 삭제하지 못했습니다({reason}). 나중에 정리를 다시 실행하세요"
    ),
    "aws.waiting.seconds_unit": "초",
    # -- aws.iam and measure: waits and partial data -----------------------------------------------
    "aws.iam.role": "역할 {name}",
    "aws.iam.policy_of_role": "역할 {role}의 정책 {policy}",
    "aws.iam.propagating": "IAM이 {what}을(를) 전파하기를 대기",
    "measure.metrics.gap_count": "{metric} {count:.0f}개 중 {seen:.0f}개",
    "measure.metrics.gap_minute": "{metric}(아직 게시되지 않은 {minute:%H:%M} 분)",
    "measure.metrics.waiting_publish": "CloudWatch가 {metrics}을(를) 게시하기를 대기",
    "measure.metrics.partial": (
        "CloudWatch가 아직 모든 데이터를 게시하지 않았습니다({gaps}). 아래 그림은 일부 데이터만 보여 줍니다."
    ),
    "measure.metrics.fresh_minute": "CloudWatch의 새 1분 구간 대기",
    "measure.invocations.waiting_reports": "{function}의 REPORT 줄 {count}개 대기",
    "measure.traces.waiting": "완성된 트레이스 {count}개 대기",
    # -- views: latency figures --------------------------------------------------------------------
    "views.latency.calls_title": "API 호출별 지연 시간",
    "views.latency.init_bar": "Init Duration(새 실행 환경)",
    "views.latency.duration_bar": "Duration(핸들러)",
    "views.latency.client_line": "클라이언트가 측정한 지연 시간",
    "views.latency.call_number": "호출 번호",
    "views.latency.milliseconds": "밀리초(ms)",
    "views.latency.upload_to_done": "업로드부터 함수 완료까지",
    "views.latency.function_duration": "함수 Duration(REPORT)",
    "views.latency.upload_title": "업로드에서 알림까지",
    "views.latency.upload_number": "업로드 번호",
    "views.latency.concurrency_title": "필요한 동시성 = 초당 요청 수 x 실행 시간",
    "views.latency.requests_per_second": "초당 요청 수(요청/초)",
    "views.latency.concurrent_executions": "동시 실행 수(실행 환경)",
    # -- views: metric figures ---------------------------------------------------------------------
    "views.metrics.axis_title": "{metric}, {stat}({unit})",
    "views.metrics.stat.Maximum": "최대",
    "views.metrics.stat.Minimum": "최소",
    "views.metrics.stat.Average": "평균",
    "views.metrics.stat.Sum": "합계",
    "views.metrics.stat.SampleCount": "샘플 수",
    "views.metrics.unit.Milliseconds": "ms",
    "views.metrics.unit.Count": "개",
    "views.metrics.unit.Seconds": "초",
    "views.metrics.unit.Percent": "%",
    "views.metrics.no_points_yet": "{title}(아직 데이터 포인트 없음)",
    "views.metrics.time_utc": "시간(UTC)",
    "views.metrics.no_data": "{metric}(데이터 없음)",
    "views.metrics.since_first_call": "첫 호출 시작 후 경과 시간(초)",
    "views.metrics.connection_limit": "연결 한도: {limit}",
    "views.metrics.calls_in_flight": "처리 중인 호출 수",
    "views.metrics.limit": "한도: {limit}",
    "views.outcome.succeeded": "성공",
    "views.outcome.throttled": "스로틀링됨",
    "views.outcome.refused_connections": "거부됨: 연결 수 초과",
    "views.outcome.other_error": "기타 오류",
    # -- views: tables -----------------------------------------------------------------------------
    "views.tables.unknown_price": "오프라인 스냅샷에 없음(AWS 요금 페이지 참고)",
    "views.tables.masked": "{dots}({count}자)",
    "views.tables.resource": "리소스",
    "views.tables.value": "값",
    "views.tables.list_price": "정가(USD, {region})",
    "views.tables.hourly": "존재하는 동안 시간당 USD",
    "views.tables.per_request": "요청당 + 실행 시간 GB-초당",
    "views.tables.only_while_called": "호출될 때만",
    "views.tables.api_gateway": "API Gateway REST API",
    "views.tables.per_million_requests": "요청 100만 건당 {usd:.2f}",
    "views.tables.per_hour": "시간당 {usd:.3f}",
    "views.tables.per_vcpu_hour": "인스턴스 vCPU-시간당 {usd:.3f}(최소 {vcpus} vCPU)",
    "views.tables.per_secret_month": "보안 암호 1개월당 {usd:.2f}",
    "views.tables.per_10000_calls": " + API 호출 10,000건당 {usd:.2f}",
    "views.tables.per_secret": "보안 암호당 {usd:.4f}",
    "views.tables.vpc_endpoint": "VPC 인터페이스 엔드포인트(Secrets Manager)",
    "views.tables.per_az_hour": "AZ-시간당 {usd:.3f}(AZ 2개)",
    "views.tables.provisioned": "Lambda 프로비저닝된 동시성({memory_mb} MB)",
    "views.tables.per_gb_hour": "구성된 GB-시간당 {usd:.4f}",
    "views.tables.per_environment": "실행 환경당 {usd:.4f}",
    "views.tables.xray_price": "기록된 트레이스 100만 개당 5.00(매월 처음 100,000개 무료)",
    # -- views: traces -----------------------------------------------------------------------------
    "views.traces.service_map": "X-Ray 서비스 맵",
    "views.traces.no_services": "{title}(이 시간 구간에 서비스 없음)",
    "views.traces.node_hover": "요청 {requests}건, 오류/장애 {errors}건",
    "views.traces.client": "클라이언트",
    "views.traces.node_requests": "요청 {requests}건",
    "views.traces.node_average": ", 평균 {ms}",
    "views.traces.no_segments": "트레이스 타임라인(세그먼트 없음)",
    "views.traces.bar_hover": "시작 +{start}, {duration}",
    "views.traces.timeline_title": "트레이스 {trace_id}: 전체 {total_ms:.0f} ms",
    "views.traces.since_start": "트레이스 시작 후 경과 시간(ms)",
    "views.traces.segment_axis": "세그먼트 / 하위 세그먼트",
    "views.traces.latency_title": "세그먼트별 지연 시간",
    "views.traces.segment_slowest": "세그먼트(중앙값이 느린 순)",
    "views.traces.log_duration": "실행 시간(ms, 로그 눈금)",
    # -- modules: tables, diagrams, clean-up lines -------------------------------------------------
    "views.diagrams.client": "클라이언트",
    "m3.table.api": "API(스테이지 URL)",
    "m3.table.function": "함수",
    "m3.table.db_instance": "DB 인스턴스",
    "m3.table.db_instance_value": "{name}({db_class}, max_connections {max_connections})",
    "m3.table.user_cap": "app 사용자 연결 한도",
    "m3.table.app_secret": "app 보안 암호",
    "m3.client_you": "나(학습자)",
    "m3.node_stage": "{api}(스테이지 {stage})",
    "m3.missing_secret": "app 보안 암호",
    "m3.and": " 및 ",
    "m3.to_come": "; 앞으로 추가: {missing}",
    "m3.deployed_title": "배포된 리소스({count}개){to_come}",
    "m3.removed_function": "함수 {name}",
    "m3.removed_proxy": "RDS Proxy {name}",
    "m3.removed_endpoint": "VPC 엔드포인트 {endpoint}",
    "m3.removed": "삭제함: {items}",
    "m3.nothing_to_remove": "삭제함: 더 삭제할 것이 없습니다",
    "m5.client_notebook": "이 노트북",
    "m5.xray_node": "데몬 + API",
    "m5.api_back": "API가 다시 {function}(v3, 최적화 버전)을 호출",
    "m5.tracing_off": "스테이지 추적 꺼짐",
    "m5.function_deleted": "함수 {name} 삭제됨",
    "m5.done": "완료: {items}",
    "m99.not_confirmed": (
        "삭제를 확인하지 않아 아무것도 삭제하지 않았습니다. 워크숍 리소스 {count}개가 남아 있으며 시간당 "
        "약 USD {usd:.3f}입니다. 삭제하려면 확인하세요."
    ),
    "m99.deleted_one": "  삭제됨: {kind} {name}",
    "m99.deleted_summary": "{found}개 중 {deleted}개를 삭제했습니다. 이제 남은 워크숍 리소스는 {left}개입니다.",
    "m99.ask": "이 리소스 {count}개를 삭제할까요? 삭제하려면 yes를 입력하세요: ",
    "m99.found": "워크숍 리소스 {count}개를 찾았습니다. 시간당 약 USD {usd:.3f}:",
    "m99.none": "  (없음)",
    "m99.answer_yes": "아무것도 삭제하지 않았습니다(삭제하려면 --yes로 실행하거나 yes라고 답하세요).",
    # -- notebook 01 -------------------------------------------------------------------------------
    "m1.code_matches": "Lambda가 위에 보인 코드를 그대로 실행합니다(CodeSha256이 우리 패키지의 해시와 같습니다)",
    "m1.handled_event": "함수가 이벤트의 레코드 하나를 처리하고 알림 하나를 게시했습니다",
    "m1.emailed": "SNS가 {key}에 대해 {email}(으)로 이메일을 보냈습니다: {evidence}",
    "m1.not_confirmed": "{email}이(가) 구독을 확인하지 않았습니다. 확인되지 않았으므로 이메일 확인은 건너뜁니다.",
    "m1.waiting_logs": "함수의 로그 줄 대기",
    "m1.logged_upload": "함수가 {key} 업로드를 로그에 남겼습니다",
    "m1.reported": "호출 {count}건이 보고되었습니다",
    "m1.upload_slower": (
        "업로드 {count}건 모두 업로드부터 완료까지 걸린 시간이 함수 실행 시간보다 깁니다. S3의 이벤트 "
        "전달과 Lambda의 호출 시작 시간이 더해지기 때문입니다"
    ),
    "m1.summary": (
        "업로드 {count}건에서 알림은 업로드 후 중앙값 **{upload_ms:.0f} ms** 만에 게시되었고, 함수 자체의 "
        "실행 시간은 중앙값 **{duration_ms:.1f} ms**였습니다. 나머지는 S3가 이벤트를 전달하고 Lambda가 "
        "호출을 시작하는 데 걸린 시간입니다. 비동기 이벤트에서는 함수를 기다리지 않으며, 그 대기 시간에 "
        "요금을 내지도 않습니다. 이 호출 중 {cold}건은 새 실행 환경이 필요했습니다."
    ),
    "m1.node_you": "나",
    "m1.node_upload": "파일 업로드",
    "m1.node_email": "이메일",
    "m1.diagram_title": "모듈 1: 업로드 -> 함수 -> 알림",
    "m1.cleaned": "모듈 1의 리소스 {count}개를 삭제했습니다. 다시 조회해도 남은 것이 없습니다",
    # -- measure: an invocation as shown -----------------------------------------------------------
    "measure.invocations.figures": (
        "실행 시간 **{duration_ms:.1f} ms**, 청구 시간 {billed_ms:.0f} ms, 최대 메모리 {max_memory_mb:.0f} MB"
    ),
    "measure.invocations.cold": ", 초기화 **{init_ms:.1f} ms**(콜드 스타트)",
    "measure.invocations.error": " — 함수 오류: `{error}`",
    "measure.invocations.status": "상태 {status}{error}; {figures}",
    "views.tables.name": "이름",
    # -- notebook 02 -------------------------------------------------------------------------------
    "m2.two_subnets": "프라이빗 서브넷 두 개가 있습니다",
    "m2.db_available": "{name}을(를) 사용할 수 있습니다",
    "m2.db.endpoint": "엔드포인트",
    "m2.db.port": "포트",
    "m2.db.engine": "엔진",
    "m2.db.class": "인스턴스 클래스",
    "m2.db.user": "사용자",
    "m2.db.password": "암호",
    "m2.multi_az_price": (
        "{region}에서 단일 영역 {db_class}의 요금은 시간당 USD {hourly:.3f}입니다({source}). 다중 AZ는 "
        "대기 인스턴스 요금도 청구되므로 시간당 약 USD {double:.3f}, 730시간 기준 한 달에 USD "
        "{month:,.2f} 대신 USD {double_month:,.2f}입니다."
    ),
    "m2.multi_az_no_price": (
        "여기에는 {region}의 {db_class} 요금이 없습니다. 다중 AZ는 대기 인스턴스 요금도 청구되므로 단일 "
        "영역 시간당 요금의 약 두 배입니다."
    ),
    "m2.function_active": "{name}이(가) VPC 안에서 활성 상태입니다",
    "m2.reads_db_time": "함수가 데이터베이스 시각을 읽습니다",
    "m2.api_answers": "GET /이 데이터베이스 시각과 함께 200으로 응답합니다",
    "m2.api_call": "`GET {url}` -> {latency_ms:.0f} ms 만에 **{status}**",
    "m2.regional": "{name}은(는) 리전 API입니다: {types}",
    "m2.reports_arrived": "모든 호출의 REPORT 줄이 CloudWatch Logs에 도착했습니다",
    "m2.all_200": "호출 {count}건 모두 200으로 응답했습니다",
    "m2.latency_title": "GET / 호출 {count}건: 첫 호출이 새 실행 환경을 시작합니다",
    "m2.first_cold": "첫 호출은 콜드 스타트였고 그 뒤의 {warm}건은 웜 스타트였습니다",
    "m2.cold_slower": "콜드 스타트의 전체 지연 시간이 웜 호출의 중앙값보다 길었습니다",
    "m2.summary": (
        "첫 호출은 전체 **{cold_ms:.0f} ms**가 걸렸고, 그중 **{init_ms:.0f} ms**는 핸들러가 "
        "{handler_ms:.0f} ms 동안 실행되기 전에 Lambda가 새 실행 환경을 시작한 시간(Init Duration)입니다. "
        "이어진 웜 호출 {warm}건의 지연 시간은 중앙값 **{warm_ms:.0f} ms**였고, 핸들러 자체의 실행 시간은 "
        "중앙값 {warm_handler_ms:.0f} ms였습니다. 그 대부분은 호출마다 새 데이터베이스 연결을 여는 데 "
        "쓰이며, 모듈 4에서 이를 없앱니다."
    ),
    "m2.node_client": "클라이언트",
    "m2.node_layer": "{function} + pymysql 계층",
    "m2.diagram_title": "모듈 2: REST API -> Lambda -> MySQL, VPC {vpc} 내부",
    "m2.kept": "모듈 3을 위해 남겨 둡니다.",
    "m2.gone": "없음",
    "m2.db_deleted": "모듈 2의 데이터베이스가 삭제되었습니다(AWS에서는 삭제 중일 수 있음): {left}",
    "m2.function_deleted": "{name}이(가) 삭제되었습니다",
    "m2.api_deleted": "API {name}이(가) 삭제되었습니다",
    # -- notebook 03 -------------------------------------------------------------------------------
    "m3.row.function": "함수",
    "m3.row.api": "API",
    "m3.row.db_instance": "DB 인스턴스",
    "m3.row.master_secret": "마스터 보안 암호",
    "m3.rds_format": "보안 암호가 RDS 형식입니다",
    "m3.one_privilege": "MySQL에 사용자 'app'의 권한이 정확히 하나 있습니다: {dbname} 데이터베이스에 대한 SELECT",
    "m3.write_refused": "MySQL이 사용자 'app'의 쓰기를 거부합니다: {write}",
    "m3.only_app_secret": "함수는 app 보안 암호만 읽을 수 있습니다",
    "m3.no_broad_policy": "범위가 넓은 Secrets Manager 정책이 없습니다",
    "m3.proxy.proxy": "프록시",
    "m3.proxy.status": "상태",
    "m3.proxy.endpoint": "엔드포인트",
    "m3.proxy.max_connections": "인스턴스 max_connections",
    "m3.proxy.pool_size": "최대 풀 크기",
    "m3.proxy_available": "프록시를 사용할 수 있습니다",
    "m3.http_answer": "HTTP {status}, 응답 시간 {latency_ms:.0f} ms: {body}",
    "m3.v2_answers": "API가 v2 핸들러로 응답합니다",
    "m3.connects_to_proxy": "함수가 인스턴스가 아니라 프록시 엔드포인트({endpoint})에 연결합니다",
    "m3.no_password_env": "함수의 환경 변수에 암호가 남아 있지 않습니다",
    "m3.path_direct": "MySQL에 직접 연결",
    "m3.path_proxy": "RDS Proxy 경유",
    "m3.direct_refused": "직접 연결 {count}개가 한도 {limit}을(를) 넘습니다. MySQL이 연결 수 초과로 일부를 거부합니다",
    "m3.proxy_all_succeed": "프록시를 거치면 호출 {count}건이 모두 성공합니다",
    "m3.in_flight_title": "동시 호출 {count}건: 직접 연결과 RDS Proxy 경유",
    "m3.late_found_place": "그중 {late}건은 이미 끝난 호출이 비운 자리를 얻었습니다",
    "m3.late_none": (
        "비워진 자리를 얻을 만큼 늦게 로그인한 호출은 없었습니다(같은 사용자의 프록시 유휴 연결도 한도에 포함됩니다)"
    ),
    "m3.warm_no_cold": (
        "워밍업으로 함수마다 실행 환경 {count}개를 시작했습니다. 측정한 호출 중 콜드 스타트는 없었습니다"
    ),
    "m3.burst_summary": (
        "직접 연결 함수의 워밍업에는 호출 {rounds}라운드가 걸렸습니다(콜드 스타트 {cold}건, Lambda가 실행 "
        "환경을 늘리는 동안 스로틀링된 호출 {throttled}건). 이어서 측정한 호출 {count}건은 서로 "
        "**{spread_ms:.0f} ms** 안에 시작했고 콜드 스타트는 하나도 없었습니다. 한도 {limit}에 대해 직접 "
        "연결 호출 **{ok}**건이 성공했습니다. 성공한 호출은 {hold_s}초짜리 쿼리 전에 보안 암호를 가져오고 "
        "로그인하는 데 중앙값 **{setup_s:.2f}초**를 썼기 때문에 로그인 시점이 흩어졌고, {late_text}. "
        "거부된 호출은 중앙값 **{refused_s:.2f}초**(최대 {refused_max_s:.2f}초)가 걸렸습니다. 똑같이 보안 "
        "암호를 가져오고 로그인했지만 마지막에 MySQL이 거부한 것이며(오류 1226), 시간 초과가 "
        "아닙니다(핸들러의 `connect_timeout`은 5초이고, 시간 초과라면 오류 2003이 보고됩니다). 이 "
        "컴퓨터에서는 호출들의 실행 환경이 CPU 코어 2개를 나눠 쓰므로 로그인마다 시간이 늘어납니다. "
        "AWS에서는 실행 환경마다 자체 CPU 몫이 있고, 대신 로그인에 네트워크 왕복 비용이 듭니다."
    ),
    "m3.peak_title": "측정 중 최대 연결 수(CloudWatch, 1분 최댓값)",
    "m3.connections": "연결 수",
    "m3.clients_arrived": "함수의 연결이 프록시에 도착했습니다(ClientConnections)",
    "m3.proxy_within_limit": "프록시가 사용자 한도보다 많은 데이터베이스 연결을 잡은 적이 없습니다",
    "m3.gauge_summary": (
        "`ClientConnections`는 게이지 지표로, 샘플링하는 순간 프록시에 연결된 클라이언트 "
        "수입니다(pocketcloud는 1초에 한 번 샘플링하고 CloudWatch는 1분 중 최댓값을 보관합니다). 따라서 "
        "최댓값 **{peak_clients:.0f}**은(는) 그 1분 동안의 호출 {count}건이 아니라 한 샘플링 순간에 "
        "연결되어 있던 수입니다. 이 노트북의 시계로는 프록시를 거친 호출이 동시에 최대 **{in_flight}**건 "
        "처리 중이었고, 호출은 보안 암호를 가져온 뒤에야 연결합니다. 데이터베이스 연결 "
        "**{peak_db:.0f}**개가 이 호출을 모두 처리했고, 각 호출은 연결을 얻을 차례를 기다렸습니다."
    ),
    "m3.outcomes_title": "동시 호출 {count}건, 각각 {hold_s}초 동안 연결 유지",
    "m3.calls": "호출 수",
    "m3.outcome_summary": (
        "직접 연결에서는 호출 **{count}건 중 {failed}건**이 실패했습니다. 실행 환경마다 자체 연결을 "
        "열었고, MySQL은 app 사용자의 한도 {limit}을(를) 넘는 연결을 거부했습니다(그 사용자의 열린 연결은 "
        "앞 단계에서 프록시가 유지하는 유휴 연결까지 모두 포함됩니다). RDS Proxy를 거치면 **{count}건 중 "
        "{succeeded}건**이 성공했습니다. 클라이언트 연결 최대 **{clients:.0f}**개가 데이터베이스 연결 "
        "최대 **{peak_db:.0f}**개를 나눠 썼고, 호출은 실패하는 대신 빈 연결을 잠시 기다렸습니다. 프록시를 "
        "거친 가장 느린 호출은 **{slowest_s:.1f}초**가 걸렸습니다."
    ),
    "m3.path_direct_short": "직접 연결",
    "m3.login_costs_more": "연결을 여는 비용이 열린 연결에서 쿼리하는 비용보다 큽니다",
    "m3.login_summary": (
        "MySQL에 바로 로그인하는 데는 중앙값 **{login_ms:.1f} ms**가 걸렸고, 이미 열린 연결에서 쿼리하는 "
        "데는 **{query_ms:.2f} ms**로 약 **{ratio:,.0f}배** 적게 걸렸습니다. 프록시를 거치면 로그인에 "
        "{proxy_login_ms:.1f} ms, 쿼리에 {proxy_query_ms:.2f} ms가 걸렸습니다. 더 중요한 점은 프록시가 "
        "로그인에 직접 응답하고 이미 가진 데이터베이스 연결을 빌려주므로 MySQL이 새 세션을 만들지 "
        "않는다는 것입니다. 이 수치는 루프백에서 잰 값입니다. 이 컴퓨터에서는 함수와 데이터베이스 사이에 "
        "네트워크가 없습니다. AWS에서는 로그인할 때마다 VPC 네트워크를 여러 번 오갑니다. 참고로 원래 "
        "워크숍은 보안 암호 조회와 연결을 핸들러 밖으로 옮기자 호출당 약 700 ms에서 약 7 ms로 줄었다고 "
        "발표했습니다(이번 실행이 아니라 원래 워크숍의 측정값). 모듈 4에서 그 변화를 직접 측정합니다."
    ),
    "m3.functions_gone": "비교용, 설정용, 확인용 함수가 삭제되었습니다",
    "m3.proxy_stays": "프록시는 모듈 4와 5를 위해 남겨 둡니다",
    "views.metrics.column.path": "경로",
    "views.metrics.column.outcome": "결과",
    "views.metrics.column.calls": "호출 수",
    "views.metrics.column.run": "실행",
    # -- notebook 05 -------------------------------------------------------------------------------
    "m5.row.function": "함수",
    "m5.row.function_tracing": "함수 추적",
    "m5.row.layers": "계층",
    "m5.row.stage_tracing": "스테이지 추적",
    "m5.lambda_tracing_on": "Lambda 활성 추적이 켜져 있습니다",
    "m5.stage_tracing_on": "API Gateway 스테이지 추적이 켜져 있습니다",
    "m5.col.trace_id": "트레이스 ID",
    "m5.col.status": "상태",
    "m5.col.version": "버전",
    "m5.all_200": "모든 호출이 200으로 응답했습니다",
    "m5.trace_per_call": "X-Ray에 호출 {count}건 각각의 트레이스가 있습니다",
    "m5.three_segments": "트레이스에 API Gateway, Lambda, 함수 세그먼트가 있습니다",
    "m5.cold_initialization": "첫 호출의 트레이스에 콜드 스타트(Initialization)가 보입니다",
    "m5.later_warm": "이후 호출 {count}건의 트레이스에는 Initialization이 없습니다. 웜 호출이었습니다",
    "m5.sql_subsegment": "트레이스에 SQL 하위 세그먼트가 있습니다",
    "m5.cold_title": "콜드 스타트: 트레이스 {trace_id}",
    "m5.warm_title": "웜 호출: 트레이스 {trace_id}",
    "m5.map_title": "추적한 호출 {count}건의 서비스 맵",
    "m5.window": (
        "요청한 시간 구간: 호출 {count}건에 대해 {start:%H:%M:%S}부터 {end:%H:%M:%S}(UTC)까지 **{seconds:.1f}초**."
    ),
    "m5.map_chain": "서비스 맵에 클라이언트 -> API Gateway -> Lambda -> 함수가 보입니다",
    "m5.map_sql": "서비스 맵에 함수가 쿼리하는 SQL 데이터베이스가 보입니다",
    "m5.load_test_run": "추적한 부하 테스트",
    "m5.sampling": (
        "부하 테스트는 {seconds}초 동안 요청 **{requests}**건을 보냈고 X-Ray는 트레이스 **{sampled}**개를 "
        "기록했습니다. 기본 샘플링 규칙으로는 약 {expected:.0f}개가 예상됩니다: 초당 1개({seconds}개)에 "
        "나머지 {others}건의 5 %를 더한 값입니다. AWS에서는 이 셀을 실행할 때 마지막 몇 초의 트레이스가 "
        "아직 검색되지 않을 수 있습니다."
    ),
    "m5.segments_title": "세그먼트별 지연 시간, 샘플링된 트레이스 {count}개",
    "m5.traces_left": "부하 테스트가 분석할 샘플링된 트레이스를 남겼습니다",
    "m5.summary": (
        "첫 호출은 전체 **{cold_ms:.0f} ms**가 걸렸고, 그중 **{init_ms:.0f} ms**는 콜드 스타트의 "
        "초기화였습니다. SQL 쿼리 자체는 **{sql_ms:.1f} ms**가 걸렸습니다. 웜 호출은 모두 합쳐 "
        "**{warm_ms:.0f} ms**가 걸렸습니다. 서비스 맵은 함수 호출 **{invocations}**건을 집계했고, "
        "클라이언트부터 SQL 데이터베이스까지 전체 경로를 보여 줍니다."
    ),
    "m5.api_calls_again": "API가 다시 {function}을(를) 호출합니다",
    "m5.stage_tracing_off": "스테이지 추적이 꺼져 있습니다",
    "m5.traced_gone": "추적용 함수가 삭제되었습니다",
    # -- notebook 99 -------------------------------------------------------------------------------
    "m99.inventory": "워크숍 리소스 {count}개, 시간당 약 USD {usd:.3f}",
    "m99.broad_policy": "{role}: 범위가 넓은 관리형 정책 {arn}",
    "m99.wildcard": "{role}/{policy}: 와일드카드 작업 {action}",
    "m99.roles_least_privilege": (
        "워크숍 역할 {count}개 중 와일드카드 작업이나 범위가 넓은 관리형 정책을 가진 역할이 없습니다{problems}"
    ),
    "m99.no_roles": "워크숍 역할이 더 이상 없습니다. 확인할 것이 없습니다.",
    "m99.left_row": "\n  남음: {kind} {name}",
    "m99.nothing_left": "삭제 후 다시 조회한 목록에 워크숍 리소스가 하나도 없습니다(삭제 전 {count}개){left}",
    "m99.second_finds_nothing": "두 번째 정리에서는 찾는 것도 삭제하는 것도 없습니다",
    # -- load tests, bursts, capacity plans (views/loadtests, measure/capacity, module 4) ----------
    "views.loadtests.panel_succeeded": "성공(요청/초)",
    "views.loadtests.panel_failed": "실패(요청/초)",
    "views.loadtests.panel_p50": "지연 시간 중앙값(ms)",
    "views.loadtests.panel_p95": "p95 지연 시간(ms)",
    "views.loadtests.run": "실행",
    "views.loadtests.side_by_side": "부하 테스트 나란히 비교",
    "views.loadtests.since_start": "부하 테스트 시작 후 경과 시간(초)",
    "views.loadtests.row.rate": "도착률(호출/초)",
    "views.loadtests.row.succeeded": "성공",
    "views.loadtests.row.throttled": "스로틀링됨",
    "views.loadtests.row.throttled_pct": "스로틀링 비율(%)",
    "views.loadtests.row.other_errors": "기타 오류",
    "views.loadtests.row.ok_p50": "성공 p50(ms)",
    "views.loadtests.row.ok_p95": "성공 p95(ms)",
    "views.loadtests.row.throttled_p50": "스로틀링 p50(ms)",
    "views.loadtests.row.environments": "시작된 실행 환경",
    "views.loadtests.row.cleared_at": "스로틀링이 멈춘 시점(초)",
    "views.loadtests.row.never": "멈추지 않음",
    "views.loadtests.row.mean_duration": "확장 후 평균 Duration(ms)",
    "views.loadtests.row.model": "도착률 x 실행 시간",
    "views.loadtests.row.p99_duration": "확장 후 p99 Duration(ms)",
    "views.loadtests.row.peak_model": "모델이 허용하는 최대치",
    "views.loadtests.row.peak_model_range": "{low}~{high}",
    "views.loadtests.row.steady_peak": "확장 후 최대 동시성",
    "views.loadtests.environments_started": "{name}: 시작된 실행 환경",
    "views.loadtests.in_flight_peak": "{name}: 처리 중인 호출(최대)",
    "views.loadtests.scaling_limit": "확장 속도가 허용하는 최대치",
    "views.loadtests.percentile_ok": "{name}: 성공한 호출의 {percentile}",
    "views.loadtests.since_burst": "버스트 시작 후 경과 시간(초)",
    "views.loadtests.calls_per_second": "초당 호출 수(호출/초)",
    "views.loadtests.environments": "실행 환경 수",
    "views.loadtests.latency_ms": "지연 시간(ms)",
    "views.loadtests.refused_calls": "거부된 호출(부하 생성기)",
    "views.loadtests.cloudwatch_throttles": "Throttles(CloudWatch, 합계)",
    "views.loadtests.calls": "호출 수",
    "measure.loadtest.progress": "초당 {rate:.0f}회 호출, 실패 {failures}건",
    "measure.loadtest.label": "부하 테스트",
    "measure.capacity.col.assumption": "가정",
    "measure.capacity.col.value": "값",
    "measure.capacity.col.source": "근거",
    "measure.capacity.peak_rps": "최대 요청/초",
    "measure.capacity.peak_rps_source": "가장 바쁜 순간에 예상하는 트래픽",
    "measure.capacity.duration": "실행 시간(ms)",
    "measure.capacity.duration_source": "측정값: 확장 후 호출 수로 가중한 평균 Duration",
    "measure.capacity.average_concurrency": "평균 동시성",
    "measure.capacity.average_concurrency_source": "요청/초 x 실행 시간(리틀의 법칙)",
    "measure.capacity.peak_factor": "최대 / 평균",
    "measure.capacity.peak_factor_source": "측정값: 동시 처리 최대치 / (도착률 x 실행 시간)",
    "measure.capacity.headroom": "여유분",
    "measure.capacity.headroom_source": "측정한 최대치 위에 두는 여유",
    "measure.capacity.concurrency": "계획할 동시성",
    "measure.capacity.concurrency_source": "평균 x 최대/평균 x 여유분, 올림",
    "measure.capacity.average_to_peak": "평균 / 최대 트래픽",
    "measure.capacity.average_to_peak_source": "월 요금 계산용: 트래픽은 일정하지 않습니다",
    "measure.capacity.lambda_requests": "Lambda 요청",
    "measure.capacity.lambda_duration": "Lambda 실행 시간",
    "measure.capacity.api_requests": "API Gateway REST API 요청",
    "measure.capacity.secrets_vpc_endpoint": "Secrets Manager VPC 엔드포인트",
    "measure.capacity.provisioned": "Lambda 프로비저닝된 동시성",
    "measure.capacity.usage_requests": "요청 {count:,.0f}건",
    "measure.capacity.usage_hours": "{hours:.0f}시간",
    "measure.capacity.usage_secrets": "보안 암호 {count}개",
    "measure.capacity.usage_az_hours": "AZ {azs}개 x {hours:.0f}시간",
    "measure.capacity.usage_vcpu_hours": "vCPU {vcpus}개 x {hours:.0f}시간",
    "measure.capacity.usage_env_hours": "실행 환경 {count}개 x {hours:.0f}시간",
    "m4.waiting_totals": "CloudWatch가 버스트 합계를 게시하기를 대기",
    "m4.room": (
        "계정의 동시성 할당량은 {quota}이고 그중 {unreserved}이(가) 예약되지 않았습니다. 최소 "
        "{minimum}은(는) 예약되지 않은 채로 남아야 하므로 {free}만큼 따로 떼어 둘 수 있습니다."
    ),
    "m4.room_fits": "{head} {wanted}은(는) 들어갑니다.",
    "m4.room_nothing": (
        "{head} 들어갈 자리가 없어 이 단계는 건너뜁니다. 새 계정은 할당량이 작게 시작합니다. 이 단계를 해 "
        "보려면 Service Quotas에서 증가를 요청하세요(Lambda, Concurrent executions)."
    ),
    "m4.room_partly": "{head} {wanted}은(는) 들어가지 않아 이 단계는 {granted}을(를) 씁니다.",
    "m4.refused": "Lambda가 거부했습니다: {message}",
    "m4.removed_alias": "별칭 {alias}와(과) 그 프로비저닝된 동시성",
    "m4.removed_cap": "예약된 동시성 한도",
    "m4.client_locust": "Locust(부하 생성기)",
    "views.loadtests.errors": "기타 오류",
    # -- notebook 04 -------------------------------------------------------------------------------
    "m4.http_answer": "HTTP {status}, 응답 시간 {latency_ms:.0f} ms: {body}",
    "m4.api_through_proxy": "API가 프록시를 거쳐 데이터베이스 시각으로 응답합니다",
    "m4.burst_plan": (
        "처음에 {opening}회 동시 호출, 이어서 {seconds}초 동안 초당 {rate}회 호출. 함수는 10초마다 실행 환경을 "
        "{scaling_rate}개까지, 한 번에 최대 {scaling_rate}개 추가할 수 있습니다"
    ),
    "m4.run_v2": "최적화 전(v2)",
    "m4.run_v3": "최적화 후(v3)",
    "m4.burst_v2_title": "최적화 전 함수에 초당 {rate}회 호출 버스트",
    "m4.scaling_rate_kept": "실행 환경이 확장 속도(10초마다 {scaling_rate}개)보다 빠르게 추가되지 않았습니다",
    "m4.throttled_when_needed": (
        "버스트가 확장 속도가 한 번에 허용하는 것보다 많은 새 실행 환경을 필요로 할 때만 호출이 스로틀링되었습니다"
    ),
    "m4.ramp_throttled": (
        "이번 실행에서 버스트는 확장 속도가 한 번에 허용하는 것({allowance}개)보다 많은 실행 환경이 필요했습니다. "
        "Lambda는 실행 환경 **{environments}**개를 시작했고, 첫 콜드 스타트가 진행되는 동안 도착한 호출 "
        "**{throttled}**건이 스로틀링되었습니다. {cleared}"
    ),
    "m4.ramp_cleared": "{second}초부터는 준비된 실행 환경이 모든 호출을 처리했습니다.",
    "m4.ramp_never": "버스트가 끝날 때까지 스로틀링이 멈추지 않았습니다.",
    "m4.ramp_not_needed": (
        "이번 실행에서는 버스트가 확장 속도가 한 번에 허용하는 {allowance}개보다 많은 실행 환경을 필요로 하기 전에 "
        "첫 콜드 스타트가 끝났으므로, 스로틀링된 호출이 없습니다. Lambda는 실행 환경 **{environments}**개를 시작해 "
        "계속 재사용했습니다. 콜드 스타트가 더 느리거나(더 바쁜 머신) 도착률이 더 높으면 더 많은 호출이 쌓이고, "
        "한도를 넘는 호출은 스로틀링됩니다."
    ),
    "m4.throttles_stopped": "함수가 확장된 뒤에는 스로틀링이 멈췄습니다(마지막 몇 초 동안 없음)",
    "m4.generator_kept_up": (
        "Locust가 요청한 초당 {rate}회 중 초당 {sent:.1f}회를 보냈습니다. 부하 생성기가 속도를 유지했습니다(20 % 이내)"
    ),
    "m4.v2_summary": (
        "확장이 끝난 뒤 최적화 전 함수는 호출당 **{duration_ms:.1f} ms**가 걸렸습니다. 초당 {rate}회 x "
        "{duration_s:.3f}초 = 평균 **{model:.2f}**개의 실행 환경이고, 가장 느린 호출(p99, {p99_ms:.1f} "
        "ms)을 기준으로 하면 최대 {low}~{high}개입니다. 측정한 동시 처리 최대치: **{peak}**. "
        "버스트는 실행 환경 **{environments}**개를 시작했고, 확장하는 동안 호출 {total}건 중 "
        "**{throttled}**건이 스로틀링되었습니다(그 밖의 실패 {errors}건)."
    ),
    "m4.model_holds_v2": "확장 후 최대 동시성이 도착률 x 실행 시간과 일치합니다(허용 범위 이내)",
    "m4.version_v2": "v2: 핸들러 안에서 초기화",
    "m4.version_v3": "v3: 핸들러 밖에서 초기화",
    "m4.warm_duration_title": "웜 호출의 Duration(REPORT 줄)",
    "m4.duration_ms": "실행 시간(ms)",
    "m4.warm_faster": "보안 암호와 연결을 재사용하면 웜 호출이 더 빠릅니다",
    "m4.warm_summary": (
        "모든 것을 핸들러 안에서 할 때 웜 호출은 **{v2_ms:.1f} ms**(중앙값), 초기화를 핸들러 밖으로 옮긴 "
        "뒤에는 **{v3_ms:.1f} ms**가 걸려 **{speedup:.1f}배** 빨라졌습니다. (AWS에서는 보안 암호와 연결이 "
        "네트워크를 거칩니다. 원래 워크숍은 최적화 전 약 700 ms, 최적화 후 7 ms를 측정했습니다. 여기서는 "
        "루프백을 거치므로 두 수치 모두 더 작습니다.)"
    ),
    "m4.same_burst_title": "최적화 전후의 같은 버스트(초당 {rate}회 호출)",
    "m4.model_holds_v3": "최적화 후: 확장 후 최대 동시성이 도착률 x 실행 시간과 일치합니다",
    "m4.fewer_environments": "함수가 빨라지면 같은 도착률에 필요한 실행 환경이 훨씬 적습니다",
    "m4.throttled_title": "두 버스트 동안 스로틀링된 호출",
    "m4.cw_published": "CloudWatch가 Invocations와 Errors를 게시했습니다",
    "m4.cw_throttles": "CloudWatch가 클라이언트가 본 Throttles를 게시했습니다",
    "m4.every_500_throttle": (
        "거부된 호출은 모두 스로틀링이었습니다: 500 응답 {answered}건, 직접 호출 거부 {direct}건, "
        "Throttles {throttles:.0f}건"
    ),
    "m4.other_failed": "그 밖의 실패한 호출({errors}건)은 실패한 호출입니다(Errors {cw_errors:.0f}건)",
    "m4.cw_counted": "CloudWatch가 성공한 호출을 모두 집계했습니다",
    "m4.capped_run": "한도 {cap}",
    "m4.cap_title": "한도에 맞선 초당 {rate}회 호출({hold_s}초씩)",
    "m4.cap_share": (
        "한도 때문에 호출의 **{share:.0%}**가 스로틀링되었습니다. 모델의 예측은 약 **{expected:.0%}**입니다."
    ),
    "m4.never_more": "동시에 처리 중인 호출이 {cap}개를 넘은 적이 없습니다",
    "m4.share_model": "스로틀링 비율이 약 1 - 한도 / (도착률 x 실행 시간)입니다",
    "m4.cap_skipped": "계정에 여유가 없어서만 한도 단계를 건너뛰었습니다",
    "m4.provisioned_ready": "실행 환경 {count}개가 초기화되어 대기 중입니다",
    "m4.setup_on_demand": "온디맨드(한정자 없음)",
    "m4.setup_provisioned": "프로비저닝됨(별칭 live)",
    "m4.simultaneous_title": "동시 호출 {count}건: 클라이언트 측 지연 시간",
    "m4.latency_ms": "지연 시간(ms)",
    "m4.provisioned_all_ok": "프로비저닝된 별칭에 대한 호출이 모두 성공했습니다",
    "m4.on_demand_cold": "업데이트된 함수에 대한 버스트가 새 실행 환경을 시작했습니다(콜드 스타트)",
    "m4.provisioned_no_cold": "프로비저닝된 별칭에 대한 성공한 호출 중 콜드 스타트는 없었습니다",
    "m4.provisioned_summary": (
        "온디맨드에서는 호출 **{count}건 중 {cold}건**이 새 실행 환경을 시작했고 가장 느린 호출은 "
        "**{slowest_ms:.0f} ms**가 걸렸습니다. 프로비저닝된 실행 환경 {count}개로는 콜드 스타트가 "
        "**{cold_provisioned}**건이었고 가장 느린 호출은 **{slowest_provisioned_ms:.0f} ms**가 "
        "걸렸습니다."
    ),
    "m4.provision_skipped": "들어갈 자리가 없어서만 프로비저닝을 건너뛰었습니다",
    "m4.plan_v2": "v2(핸들러 안에서 초기화)",
    "m4.plan_v3": "v3(핸들러 밖에서 초기화)",
    "m4.plan.peak_rps": "최대 요청/초",
    "m4.plan.duration": "실행 시간(ms)",
    "m4.plan.concurrency": "계획할 동시성",
    "m4.plan.monthly": "월 비용(USD)",
    "m4.plan.monthly_at_least": "월 비용(USD, 최소: 가격이 없는 항목 제외)",
    "m4.plan_covers": "계획이 최대 시점의 평균 동시성과 여유분을 포함합니다",
    "m4.plan_fewer": "최적화한 함수는 같은 트래픽에 더 적은 실행 환경이 필요합니다",
    "m4.plan_summary": (
        "일일 사용자 {users:,}명 중 최대 시점에 {online:.0%}가 접속하면 **초당 {rps:,.0f}건의 요청**이 "
        "생깁니다. 측정한 호출당 {duration_ms:.1f} ms로는 평균 {average:.1f}개의 실행 환경이 필요합니다. "
        "측정한 최대/평균 비율({peak_factor:.2f})과 여유분({headroom})을 적용하면 **동시 실행 환경 "
        "{concurrency}개**를 계획해야 하며, 최적화 전 코드라면 {v2_concurrency}개입니다. {cost}"
    ),
    "m4.plan_cost": "{region} 정가({source})로 계산하면 한 달 비용은 약 **USD {monthly:,.0f}**입니다.",
    "m4.plan_cost_at_least": (
        "{region} 정가({source})로 계산하면 한 달 비용은 최소 **USD {monthly:,.0f}**입니다. 여기에 가격이 "
        "없어 빠진 항목: {unknown}."
    ),
    "m4.final_summary": (
        "초당 {rate}회 호출의 같은 버스트에서 최적화 전 함수는 확장 후 호출당 **{v2_ms:.1f} ms**가 걸렸고 "
        "동시에 최대 **{v2_peak}**개의 실행 환경이 필요했습니다. 최적화한 함수는 **{v3_ms:.1f} ms**가 "
        "걸렸고 **{v3_peak}**개가 필요했습니다. 확장하는 동안 각각 **{v2_throttled}**건과 "
        "**{v3_throttled}**건의 호출이 스로틀링되었습니다. 동시성은 초당 요청 수 곱하기 실행 시간이므로, "
        "빠른 함수는 더 저렴하고 확장성도 좋습니다."
    ),
    "m4.no_cap_left": "함수에 예약된 동시성 한도가 남아 있지 않습니다",
    "m4.no_provisioned_left": "요금이 청구될 프로비저닝된 동시성이 남아 있지 않습니다",
    # Table column headers (views.tables.readable): the data keep the English column names.
    "views.tables.column.kind": "종류",
    "views.tables.column.name": "이름",
    "views.tables.column.detail": "세부 정보",
    "views.tables.column.usd_per_hour": "시간당 USD",
    "views.tables.column.key": "객체 키",
    "views.tables.column.upload_to_done_ms": "업로드부터 완료까지 (ms)",
    "views.tables.column.duration_ms": "실행 시간 (ms)",
    "views.tables.column.init_ms": "초기화 (ms)",
    "views.tables.column.cold": "콜드 스타트",
    "views.tables.column.call": "호출",
    "views.tables.column.status": "상태",
    "views.tables.column.latency_ms": "지연 시간 (ms)",
    "views.tables.column.label": "세그먼트",
    "views.tables.column.start_ms": "시작 (ms)",
    "views.tables.column.sql": "SQL 쿼리",
    "views.tables.column.ref": "참조",
    "views.tables.column.type": "유형",
    "views.tables.column.root": "진입점",
    "views.tables.column.requests": "요청 수",
    "views.tables.column.errors": "오류 수",
    "views.tables.column.avg_ms": "평균 (ms)",
    "views.tables.column.count": "개수",
    "views.tables.column.50%": "중앙값 (ms)",
    "views.tables.column.95%": "95번째 백분위수 (ms)",
    "views.tables.column.max": "최대 (ms)",
    "views.tables.column.Protocol": "프로토콜",
    "views.tables.column.Endpoint": "엔드포인트",
    "views.tables.column.SubscriptionArn": "구독 ARN",
    "views.tables.column.timestamp": "시각",
    "views.tables.column.subject": "제목",
    "views.tables.column.version": "버전",
    "views.tables.column.path": "경로",
    "views.tables.column.outcome": "결과",
    "views.tables.column.step": "단계",
    "views.tables.column.connect": "연결 열기(로그인)",
    "views.tables.column.query": "열린 연결에서 쿼리",
    "views.tables.column.setup": "구성",
    "views.tables.column.calls": "호출 수",
    "views.tables.column.succeeded": "성공",
    "views.tables.column.cold_starts": "콜드 스타트 수",
    "views.tables.column.median_ms": "중앙값 (ms)",
    "views.tables.column.max_ms": "최대 (ms)",
    "views.tables.column.item": "항목",
    "views.tables.column.usage": "사용량",
    "views.tables.column.usd": "월 USD",
    "views.tables.column.users": "사용자 수",
    "views.tables.column.duration_s": "테스트 시간 (초)",
    "views.tables.column.failed": "실패",
    "views.tables.column.failure_pct": "실패율 (%)",
    "views.tables.column.requests_per_s": "요청/초",
    "views.tables.column.succeeded_per_s": "성공 요청/초",
    "views.tables.column.p50_ok_ms": "성공 호출 p50 (ms)",
    "views.tables.column.p95_ok_ms": "성공 호출 p95 (ms)",
    "views.tables.column.p50_failed_ms": "실패 호출 p50 (ms)",
    # Values the data share with the code, as table cells show them (views.tables.value_label).
    "views.tables.value.True": "예",
    "views.tables.value.False": "아니요",
    "views.tables.value.confirmation": "구독 확인",
    "views.tables.value.notification": "알림",
    # A module's resource names (the keys of its names(ws)), as views.tables.names_table shows them.
    "views.tables.kind.topic": "SNS 주제",
    "views.tables.kind.bucket": "S3 버킷",
    "views.tables.kind.function": "Lambda 함수",
    "views.tables.kind.role": "IAM 역할",
    "views.tables.kind.network": "네트워크 스택",
    "views.tables.kind.subnet_group": "DB 서브넷 그룹",
    "views.tables.kind.db": "DB 인스턴스",
    "views.tables.kind.db_secret": "DB 마스터 보안 암호",
    "views.tables.kind.layer": "Lambda 계층",
    "views.tables.kind.api": "REST API(API Gateway)",
    "measure.prices.snapshot_of": "{date} 기준 스냅샷",
    "measure.prices.no_snapshot": "{region} 스냅샷 없음",
    "measure.prices.price_list": "AWS Price List API, {date} 조회",
    "measure.prices.from_snapshot": "{source}에서 가져온 값: {figures}",
    "measure.prices.price_list_refused": "Price List API가 {answer}(으)로 응답해 함께 제공되는 스냅샷을 보여 줍니다",
    # Errors the helpers raise where a learner sees them.
    "errors.function_failed": "{function} 함수가 실패했습니다: {answer}",
    "aws.lambdas.provisioning_failed": "프로비저닝된 동시성 구성에 실패했습니다: {reason}",
    "aws.database.no_standard_support": (
        "RDS에 표준 지원 기간 중인 {engine} 메이저 버전이 없습니다. 남은 버전은 모두 RDS 연장 지원 요금이 "
        "청구됩니다. 버전을 직접 고르고(describe_db_engine_versions) 그 비용을 감수하세요."
    ),
    "aws.network.too_few_zones": (
        "이 리전에는 Lambda와 DB 인스턴스 클래스를 모두 쓸 수 있는 가용 영역이 {count}개보다 적습니다"
        "(찾은 영역: {found}). 다른 리전을 선택하세요."
    ),
    "aws.network.stack_failed": "스택 {stack}이(가) {status} 상태로 끝났습니다",
    "aws.events.link_did_not_confirm": "{email}에 온 구독 확인 메일의 링크를 열었지만 구독이 확인되지 않았습니다",
    "aws.iam.boundary_outdated": (
        "권한 경계 {policy}가 이 워크숍의 것과 다르지만 변경할 권한이 없습니다. {template}을(를) 배포한 "
        "사람에게 스택 업데이트를 요청하세요. 그 전에는 새 워크숍에 필요한 호출이 함수에서 거부될 수 있습니다."
    ),
    "aws.iam.boundary_missing": (
        "이 계정에는 모든 워크숍 역할에 필요한 권한 경계인 IAM 정책 {policy}가 없고, 직접 만들 권한도 없습니다. "
        "관리자에게 {template} 배포를 요청한 뒤(이 템플릿이 정책을 만듭니다) 셀을 다시 실행하세요"
    ),
    "aws.iam.no_wildcards": "작업을 하나씩 지정하세요. 와일드카드 작업은 최소 권한이 아닙니다",
    "session.bad_target": "대상은 'local' 또는 'aws'여야 합니다(WORKSHOP_TARGET 또는 connect()). 받은 값: {target}",
    "measure.capacity.bad_factors": "peak_factor와 headroom은 1 이상, average_to_peak는 0 초과 1 이하여야 합니다",
    "measure.capacity.rate_or_traffic": "requests_per_s와 traffic 중 하나만 지정하세요",
    "measure.capacity.bad_duration_or_memory": "duration_ms는 0보다 크고 memory_mb는 128 이상이어야 합니다",
    "measure.capacity.unknown_class": "알 수 없는 인스턴스 클래스 {db_class}입니다. 사용할 수 있는 클래스: {known}",
    "measure.loadtest.bad_parameters": "users는 1 이상, duration은 0 초과, rate는 0 이상이어야 합니다",
    "measure.loadtest.locust_failed": "Locust가 종료 코드 {code}(으)로 끝났습니다:\n{log}",
    "measure.loadtest.locust_did_not_stop": "Locust가 제때 멈추지 않았습니다",
    "measure.metrics.bad_period": "period는 1초 이상이어야 합니다",
    "measure.metrics.end_before_start": "end는 start보다 뒤여야 합니다",
    "measure.traces.no_segments": "이 트레이스에는 세그먼트가 없어 시간 범위를 잡을 수 없습니다",
    "measure.invocations.bad_count": "count는 1 이상이어야 합니다",
    "m99.cli.usage": "사용법: ",
    "m99.cli.description": "워크숍이 만든 모든 것(워크숍 태그와 이름 접두사가 있는 리소스)을 삭제합니다.",
    "m99.cli.options": "옵션",
    "m99.cli.help": "이 도움말을 보여 주고 끝냅니다",
    "m99.cli.dry_run": "삭제할 대상을 보여 주기만 하고 아무것도 삭제하지 않습니다",
    "m99.cli.yes": "묻지 않고 삭제합니다",
    "views.tables.column.segment": "세그먼트",
    "views.tables.value.client": "클라이언트",
    # A trace's rows as segments_frame labels them (the data keep "segment" and "subsegment" in its kind column).
    "measure.traces.kind.segment": "세그먼트",
    "measure.traces.kind.subsegment": "하위 세그먼트",
}

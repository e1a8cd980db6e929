"""Error classes from the real error bodies, Magento message templates, searchCriteria, account ids."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import requests

from magento_netsuite.connectors import messages, netsuite_account
from magento_netsuite.connectors.error_parsing import classify_magento, classify_netsuite, classify_transport
from magento_netsuite.connectors.errors import AuthError, NotFoundError, RecordError, TransientError
from magento_netsuite.connectors.magento import price_failures
from magento_netsuite.connectors.search_criteria import build_params, fields_param


def _response(status: int, body, headers: dict | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode() if not isinstance(body, bytes) else body
    response.headers.update({"Content-Type": "application/json", **(headers or {})})
    response.reason = "reason"
    return response


# -- NetSuite --------------------------------------------------------------------------------------

ORACLE_429 = {
    "type": "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html",
    "title": "Bad Request",
    "status": 429,
    "o:errorCode": "USER_ERROR",
    "o:errorDetails": [
        {"detail": "Concurrent request limit exceeded. Request blocked.", "o:errorCode": "CONCURRENCY_LIMIT_EXCEEDED"}
    ],
}


def test_netsuite_concurrency_limit_is_transient_and_safe_to_resend_even_as_400():
    for status in (429, 400):
        c = classify_netsuite(_response(status, ORACLE_429), call="POST /services/rest/query/v1/suiteql")
        assert isinstance(c.error, TransientError)
        assert c.retryable and c.applied_safe
        assert c.error.code == "CONCURRENCY_LIMIT_EXCEEDED"


def test_restlet_request_limit_400_is_transient():
    body = {"error": {"code": "SSS_REQUEST_LIMIT_EXCEEDED", "message": "Request limit exceeded"}}
    c = classify_netsuite(_response(400, body), call="GET /app/site/hosting/restlet.nl")
    assert isinstance(c.error, TransientError) and c.applied_safe


def test_netsuite_invalid_content_carries_the_error_path():
    body = {
        "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
        "title": "Bad Request",
        "status": 400,
        "o:errorDetails": [
            {
                "detail": "Invalid value for the resource or sub-resource field 'item'.",
                "o:errorPath": "item.items[0].item",
                "o:errorCode": "INVALID_CONTENT",
            }
        ],
    }
    c = classify_netsuite(_response(400, body), call="POST /services/rest/record/v1/salesOrder")
    assert isinstance(c.error, RecordError) and not c.retryable
    assert c.error.field_path == "item.items[0].item"
    assert c.error.code == "INVALID_CONTENT"
    assert "field=item.items[0].item" in str(c.error)


def test_netsuite_suiteql_error_points_at_the_query_param():
    body = {
        "o:errorDetails": [
            {
                "detail": "Invalid search query. Unknown identifier 'x'",
                "o:errorQueryParam": "q",
                "o:errorCode": "INVALID_PARAMETER",
            }
        ]
    }
    c = classify_netsuite(_response(400, body), call="POST /suiteql")
    assert isinstance(c.error, RecordError) and c.error.field_path == "q"


def test_netsuite_auth_not_found_and_server_errors():
    login = {"o:errorDetails": [{"detail": "Invalid login attempt.", "o:errorCode": "INVALID_LOGIN"}]}
    assert isinstance(classify_netsuite(_response(401, login), call="GET /x").error, AuthError)
    restlet_login = {"error": {"code": "INVALID_LOGIN_ATTEMPT", "message": "Invalid login attempt."}}
    assert isinstance(classify_netsuite(_response(401, restlet_login), call="GET /x").error, AuthError)
    missing = {"o:errorDetails": [{"detail": "Record does not exist.", "o:errorCode": "NONEXISTENT_ID"}]}
    assert isinstance(classify_netsuite(_response(404, missing), call="GET /x").error, NotFoundError)
    unexpected = {
        "o:errorDetails": [{"detail": "An unexpected error occurred. Error ID: abc", "o:errorCode": "UNEXPECTED_ERROR"}]
    }
    c = classify_netsuite(_response(500, unexpected), call="POST /x")
    assert isinstance(c.error, TransientError) and c.retryable and not c.applied_safe


# -- Magento ---------------------------------------------------------------------------------------


def test_magento_bearer_refusal_explains_the_244_default():
    body = {
        "message": "The consumer isn't authorized to access %resources.",
        "parameters": {"resources": "Magento_Sales::actions_view"},
    }
    c = classify_magento(_response(401, body), call="GET /rest/V1/orders", bearer=True)
    assert isinstance(c.error, AuthError)
    text = str(c.error)
    assert "Magento_Sales::actions_view" in text
    assert "2.4.4" in text and "enable_integration_as_bearer" in text and "oauth1" in text
    c = classify_magento(_response(401, body), call="GET /rest/V1/orders", bearer=False)
    assert "2.4.4" not in str(c.error)


def test_magento_validation_error_names_the_field():
    body = {"message": '"%fieldName" is required. Enter and try again.', "parameters": {"fieldName": "email"}}
    c = classify_magento(_response(400, body), call="PUT /rest/V1/customers/5", bearer=False)
    assert isinstance(c.error, RecordError)
    assert c.error.field_path == "email"
    assert '"email" is required' in c.error.message


def test_magento_statuses():
    nse = {"message": "The entity that was requested doesn't exist. Verify the entity and try again."}
    assert isinstance(classify_magento(_response(404, nse), call="GET /x", bearer=False).error, NotFoundError)
    report = {"message": "Internal Error. Details are available in Magento log file. Report ID: webapi-65f1"}
    c = classify_magento(_response(500, report), call="GET /x", bearer=False)
    assert isinstance(c.error, TransientError) and "webapi-65f1" in c.error.message
    c = classify_magento(
        _response(429, {"message": "Too many requests"}, {"Retry-After": "2"}), call="GET /x", bearer=False
    )
    assert isinstance(c.error, TransientError) and c.applied_safe and c.retry_after == pytest.approx(2.0)
    html = _response(502, b"<html>Bad gateway</html>")
    assert isinstance(classify_magento(html, call="GET /x", bearer=False).error, TransientError)


def test_transport_errors_are_transient_and_hide_the_url():
    exc = requests.ConnectionError("HTTPConnectionPool(host='h', port=1): Max retries exceeded with url: /p?q=1")
    c = classify_transport(exc, call="GET /p", system="magento", timeout=5)
    assert isinstance(c.error, TransientError) and "q=1" not in str(c.error)
    c = classify_transport(requests.ReadTimeout("read timed out"), call="GET /p", system="magento", timeout=5)
    assert "timed out after 5s" in str(c.error) and not c.applied_safe
    c = classify_transport(requests.ConnectTimeout("connect"), call="GET /p", system="magento", timeout=5)
    assert c.applied_safe


def test_message_templates_fill_lists_and_objects():
    assert messages.render("Invalid attribute %fieldName = %fieldValue.", ["price", "-1"]) == (
        "Invalid attribute price = -1."
    )
    assert messages.render("No such entity with %fieldName = %fieldValue", {"fieldName": "sku", "fieldValue": "X"})
    assert messages.render("Product %1 is missing in %2", ["A", "B"]) == "Product A is missing in B"
    assert messages.field_name("Invalid attribute %fieldName = %fieldValue.", ["price", "-1"]) == "price"


def test_price_failures_are_structured():
    answer = [
        {
            "message": "Invalid attribute %fieldName = %fieldValue. Row ID: SKU = %SKU, Website ID: %websiteId, "
            "Customer Group: %customerGroup, Quantity: %qty.",
            "parameters": ["Price", "-5", "SKU-000001", "0", "Wholesale", "10"],
        },
        {"message": "Requested product doesn't exist. SKU: %SKU", "parameters": {"SKU": "NOPE"}},
    ]
    first, second = price_failures(answer)
    assert first.sku == "SKU-000001" and first.field_path == "Price"
    assert first.parameters["customerGroup"] == "Wholesale"
    assert "Quantity: 10." in first.message
    assert second.sku == "NOPE"
    assert price_failures([]) == []


# -- searchCriteria ---------------------------------------------------------------------------------


def test_search_criteria_groups_sort_paging_and_fields():
    params = build_params(
        filters=[
            [("updated_at", datetime(2026, 11, 29, 1, 0, tzinfo=UTC), "gteq")],
            [("status", ["processing", "complete"], "in"), ("customer_is_guest", True)],
        ],
        sort=[("entity_id", "asc"), "increment_id"],
        page_size=50,
        current_page=2,
        fields=["entity_id", "increment_id"],
    )
    assert params == {
        "searchCriteria[filter_groups][0][filters][0][field]": "updated_at",
        "searchCriteria[filter_groups][0][filters][0][value]": "2026-11-29 01:00:00",
        "searchCriteria[filter_groups][0][filters][0][condition_type]": "gteq",
        "searchCriteria[filter_groups][1][filters][0][field]": "status",
        "searchCriteria[filter_groups][1][filters][0][value]": "processing,complete",
        "searchCriteria[filter_groups][1][filters][0][condition_type]": "in",
        "searchCriteria[filter_groups][1][filters][1][field]": "customer_is_guest",
        "searchCriteria[filter_groups][1][filters][1][value]": "1",
        "searchCriteria[filter_groups][1][filters][1][condition_type]": "eq",
        "searchCriteria[sortOrders][0][field]": "entity_id",
        "searchCriteria[sortOrders][0][direction]": "ASC",
        "searchCriteria[sortOrders][1][field]": "increment_id",
        "searchCriteria[sortOrders][1][direction]": "ASC",
        "searchCriteria[pageSize]": "50",
        "searchCriteria[currentPage]": "2",
        "fields": "items[entity_id,increment_id],total_count",
    }


def test_search_criteria_rejects_mistakes():
    with pytest.raises(ValueError, match="unknown condition_type"):
        build_params([[("a", 1, "equals")]])
    with pytest.raises(TypeError, match="list of filters"):
        build_params([("a", 1, "eq")])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="ASC or DESC"):
        build_params(sort=[("a", "up")])
    assert fields_param("items[sku]") == "items[sku],total_count"


# -- NetSuite account ids ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account", "realm", "prefix"),
    [
        ("1234567_SB1", "1234567_SB1", "1234567-sb1"),
        ("1234567-sb1", "1234567_SB1", "1234567-sb1"),
        ("1234567", "1234567", "1234567"),
        ("tstdrv123456", "TSTDRV123456", "tstdrv123456"),
    ],
)
def test_account_realm_and_hosts(account, realm, prefix):
    assert netsuite_account.realm(account) == realm
    assert netsuite_account.rest_base_url(account) == f"https://{prefix}.suitetalk.api.netsuite.com"
    assert netsuite_account.restlet_base_url(account) == f"https://{prefix}.restlets.api.netsuite.com"
    assert netsuite_account.account_from_url(netsuite_account.rest_base_url(account)) == realm


def test_account_from_other_hosts_and_bad_ids():
    assert netsuite_account.account_from_url("http://127.0.0.1:8790/services/rest") is None
    assert netsuite_account.account_from_url("1234567-sb1.restlets.api.netsuite.com") == "1234567_SB1"
    with pytest.raises(ValueError, match="not a NetSuite account id"):
        netsuite_account.normalize_account_id("123 456")


def test_magento_msi_validation_lists_every_nested_error():
    body = {
        "message": "Validation Failed",
        "errors": [
            {"message": '"%field" can not be empty.', "parameters": {"field": "source_code"}},
            {"message": 'Product with SKU "%sku" does not exist.', "parameters": {"sku": "NOPE"}},
        ],
    }
    c = classify_magento(_response(400, body), call="POST /rest/V1/inventory/source-items", bearer=False)
    assert isinstance(c.error, RecordError)
    assert c.error.field_path == "source_code"
    assert 'Product with SKU "NOPE" does not exist.' in c.error.message

"""Every error the simulator can send, by name, with the real service's status, type and text.

Scenario files name these (``messages = { error = "overloaded" }``); the bodies are built by
``responses.error_payload``.
"""

from __future__ import annotations

from tui.simulator.spec import ErrorSpec

ORGANIZATION_ID = "5f0c1a52-7e3b-4d2a-9c61-0d5e8b7a4c13"

_RATE_DOCS = (
    "For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the "
    "response headers for current usage. Please reduce the prompt length or the maximum tokens "
    "requested, or try again later. You may also contact sales at "
    "https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase."
)


def _e(name: str, status: int, etype: str, message: str, **kw: object) -> tuple[str, ErrorSpec]:
    details = kw.get("details")
    return name, ErrorSpec(
        status=status,
        type=etype,
        message=message,
        details=details if isinstance(details, dict) else None,
        bare=bool(kw.get("bare", False)),
        name=name,
    )


_IR = "invalid_request_error"
ERRORS: dict[str, ErrorSpec] = dict(
    [
        _e(
            "usage_throttled",
            429,
            "rate_limit_error",
            "Rate limited. Please try again later.",
            bare=True,
        ),
        _e("missing_api_key", 401, "authentication_error", "x-api-key header is required"),
        _e("invalid_api_key", 401, "authentication_error", "invalid x-api-key"),
        _e("invalid_bearer", 401, "authentication_error", "Invalid bearer token"),
        _e("missing_bearer", 401, "authentication_error", "OAuth token is required"),
        _e(
            "oauth_not_supported",
            401,
            "authentication_error",
            "OAuth authentication is currently not supported.",
        ),
        _e(
            "token_expired",
            401,
            "authentication_error",
            "OAuth token has expired. Please obtain a new token or refresh your existing token.",
        ),
        _e(
            "token_revoked",
            403,
            "permission_error",
            "OAuth token has been revoked. Please obtain a new token.",
        ),
        _e(
            "organization_disabled", 403, "permission_error", "This organization has been disabled."
        ),
        _e(
            "extra_usage_exhausted",
            400,
            _IR,
            "You're out of extra usage. Add more at claude.ai/settings/usage and keep going.",
        ),
        _e(
            "third_party_billing",
            400,
            _IR,
            "Third-party apps now draw from your extra usage, not your plan limits. "
            "Add more at claude.ai/settings/usage and keep going.",
        ),
        _e(
            "credential_restricted",
            400,
            _IR,
            "This credential is only authorized for use with Claude Code and cannot be used "
            "for other API requests.",
        ),
        _e(
            "credit_balance_low",
            400,
            _IR,
            "Your credit balance is too low to access the Anthropic API. Please go to "
            "Plans & Billing to upgrade or purchase credits.",
        ),
        _e(
            "spend_limit_reached",
            400,
            _IR,
            "You have reached your specified API usage limits. You will regain access on "
            "2026-05-01 at 00:00 UTC.",
        ),
        _e("prompt_too_long", 400, _IR, "prompt is too long: 215344 tokens > 200000 maximum"),
        _e("missing_version", 400, _IR, "anthropic-version: header is required"),
        _e(
            "billing_error",
            402,
            "billing_error",
            "Your payment method was declined. Update it at console.anthropic.com to continue.",
        ),
        _e("model_not_found", 404, "not_found_error", "model: claude-unknown"),
        _e("not_found", 404, "not_found_error", "Not Found"),
        _e(
            "request_too_large",
            413,
            "request_too_large",
            "Request exceeds the maximum allowed number of bytes.",
        ),
        _e(
            "plan_limit_reached",
            429,
            "rate_limit_error",
            "This request would exceed your account's rate limit. Please try again later.",
        ),
        _e(
            "requests_per_minute",
            429,
            "rate_limit_error",
            f"This request would exceed the rate limit for your organization ({ORGANIZATION_ID}) "
            f"of 50 requests per minute. {_RATE_DOCS}",
        ),
        _e(
            "input_tokens_per_minute",
            429,
            "rate_limit_error",
            f"This request would exceed the rate limit for your organization ({ORGANIZATION_ID}) "
            f"of 30,000 input tokens per minute. {_RATE_DOCS}",
        ),
        _e(
            "output_tokens_per_minute",
            429,
            "rate_limit_error",
            f"This request would exceed the rate limit for your organization ({ORGANIZATION_ID}) "
            f"of 8,000 output tokens per minute. {_RATE_DOCS}",
        ),
        _e("server_throttled", 429, "rate_limit_error", "Rate limited"),
        _e(
            "monthly_spend_cap",
            429,
            "rate_limit_error",
            "You have reached your API usage limits: your organization has crossed its monthly "
            "API usage threshold. Your access will be restored on 2026-05-01.",
            details={"error_code": "enforced_spend_limit_reached"},
        ),
        _e(
            "long_context_requires_extra_usage",
            429,
            "rate_limit_error",
            "Extra usage is required for long context requests.",
        ),
        _e("api_error", 500, "api_error", "Internal server error"),
        _e("timeout_error", 504, "timeout_error", "Request timed out"),
        _e("overloaded", 529, "overloaded_error", "Overloaded"),
    ]
)

BUCKET_UNITS = {
    "requests": "requests",
    "input_tokens": "input tokens",
    "output_tokens": "output tokens",
}


def per_minute_error(bucket: str, limit: int) -> ErrorSpec:
    unit = BUCKET_UNITS.get(bucket, bucket)
    return ErrorSpec(
        status=429,
        type="rate_limit_error",
        message=(
            f"This request would exceed the rate limit for your organization ({ORGANIZATION_ID}) "
            f"of {limit:,} {unit} per minute. {_RATE_DOCS}"
        ),
        name=f"{bucket}_per_minute",
    )

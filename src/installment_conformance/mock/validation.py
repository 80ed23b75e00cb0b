"""The request rules of sources, charges and refunds, read from the profile (CONTRACT.md SRC, AMT, TRM, ZII).

Each function turns raw parameters into a checked request or raises the contract's 4xx
error with a message that says how to fix it. The limit faults change the method as the
faulty gateway sees it (`effective_method`), so the checks themselves exist once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from urllib.parse import urlsplit

from installment_conformance.mock import parsing
from installment_conformance.mock.clock import EPOCH
from installment_conformance.mock.errors import ApiError, bad_request, failed_refund, invalid_charge
from installment_conformance.mock.faults import Faults
from installment_conformance.profile import Method, Profile

UNLIMITED = parsing.INT64_MAX


class SourceRequest(NamedTuple):
    """A source the caller may have: method, amount, upper-case currency, term and the interest flag as sent."""

    method: Method
    amount: int
    currency: str
    installment_term: int | None
    zero_interest_installments: bool | None
    promotion_code: str | None


class ChargeRequest(NamedTuple):
    """A charge request: a source id or an inline source, plus what the charge itself carries."""

    source_id: str | None
    inline_source: SourceRequest | None
    amount: int
    currency: str
    return_uri: str | None
    zero_interest_installments: bool | None
    description: str | None
    metadata: dict


class RefundRequest(NamedTuple):
    """A refund request: the amount, optional metadata, and whether a void was asked for."""

    amount: int
    metadata: dict
    void: bool | None


def effective_method(method: Method, profile: Profile, faults: Faults) -> Method:
    """The method as the mock applies it: the profile's row, bent by any limit or term fault switched on."""
    changes: dict = {}
    if method.is_bank:
        if faults.amount_min_off_by_one:
            changes["amount_min"] = method.amount_min - 1
        if faults.bank_max_not_enforced:
            changes["amount_max"] = UNLIMITED
        elif faults.bank_max_off_by_one:
            changes["amount_max"] = method.amount_max + 1
        if faults.bank_accepts_first_missing_term:
            changes["installment_terms"] = (*method.installment_terms, first_missing_term(method.installment_terms))
        if faults.monthly_minimum_uses_lowest:
            changes["min_monthly_thb"] = min(bank.min_monthly_thb or 0 for bank in profile.banks)
    else:
        if faults.paynext_max_off_by_one:
            changes["amount_max"] = method.amount_max + 1
        if faults.paynext_min_off_by_one:
            changes["amount_min"] = method.amount_min - 1
    return dataclasses.replace(method, **changes) if changes else method


def first_missing_term(terms: tuple[int, ...]) -> int:
    """The smallest term above the shortest one that the list leaves out (a gap in the list, or one past its end)."""
    term = min(terms)
    while term in terms:
        term += 1
    return term


def _method(params: dict, profile: Profile, error: Callable[[str], ApiError]) -> Method:
    """The method named by `type`, or an error listing the types."""
    raw = params.get("type")
    if isinstance(raw, str) and raw in profile.methods:
        return profile.method(raw)
    names = _listed(profile.methods)
    if parsing.absent(raw):
        raise error(f"type is required; use one of {names}")
    raise error(f"type {parsing.shown(raw)} is not offered; use one of {names}")


def _required_int(params: dict, name: str, error: Callable[[str], ApiError]) -> int:
    """A required whole-number field."""
    if parsing.absent(params.get(name)):
        raise error(f"{name} is required (a whole number of satang, e.g. 400000 for 4,000 THB)")
    try:
        return parsing.integer(params[name], name)
    except ApiError as problem:
        raise error(problem.message) from None


def _currency(params: dict, method: Method, faults: Faults, error: Callable[[str], ApiError]) -> str:
    """The currency, matched case-insensitively against the method's, upper-cased."""
    raw = params.get("currency")
    if parsing.absent(raw):
        raise error(f"currency is required; send {method.currency}")
    if not isinstance(raw, str) or len(raw) != 3 or not raw.isascii() or not raw.isalpha():
        raise error(f"currency {parsing.shown(raw)} is not a currency code; send {method.currency}")
    if raw.upper() != method.currency and not faults.currency_not_checked:
        raise error(f"currency {raw} is not accepted for {method.type}; send {method.currency}")
    return raw if faults.source_currency_lowercase else raw.upper()


def _term(params: dict, method: Method, faults: Faults, error: Callable[[str], ApiError]) -> int | None:
    """The installment term for bank types (None for offline ones)."""
    if not method.is_bank:
        return None  # the buyer picks the term in the app; a term sent anyway is ignored
    terms = method.installment_terms
    raw = params.get("installment_term")
    if parsing.absent(raw):
        if faults.bank_term_optional:
            return None
        raise error(f"installment_term is required for {method.type}; use one of {_listed(terms)}")
    try:
        term = parsing.integer(raw, "installment_term")
    except ApiError as problem:
        raise error(f"{problem.message}; {method.type} offers {_listed(terms)}") from None
    if term not in terms:
        raise error(f"installment_term {term} is not offered for {method.type}; use one of {_listed(terms)}")
    return term


def _listed(values) -> str:
    """Values as an error message lists them: 3, 4, 6."""
    return ", ".join(map(str, values))


def _amount_in_limits(amount: int, method: Method, term: int | None, faults: Faults, error: Callable[[str], ApiError]) -> None:
    """AMT and TRM: the amount within the method's limits and, where it binds, the monthly minimum."""
    if amount < 1:
        raise error(f"amount must be a positive number of satang; received {amount}")
    if amount > method.amount_max:
        raise error(f"amount {amount} is above the maximum {method.amount_max} for {method.type}; send at most {method.amount_max}")
    if amount < method.amount_min:
        raise error(f"amount {amount} is below the minimum {method.amount_min} for {method.type}; send at least {method.amount_min}")
    if term is None or not method.monthly_minimum_binds(term):
        return
    minimum = method.min_amount_for_term(term)
    if faults.monthly_minimum_off_by_one:
        minimum += 1
    if faults.monthly_minimum_accepts_one_below:
        minimum -= 1
    if amount < minimum:
        raise error(
            f"amount must be at least {minimum} for {method.type} with installment_term {term} "
            f"(at least {method.min_monthly_thb} THB a month); send more or use a shorter installment_term"
        )


def _optional_bool(params: dict, name: str, faults: Faults, error: Callable[[str], ApiError]) -> bool | None:
    """An optional boolean field."""
    raw = params.get(name)
    if parsing.absent(raw):
        return None
    try:
        return parsing.boolean(raw, name, lenient_form=faults.form_false_is_true)
    except ApiError as problem:
        raise error(problem.message) from None


def _optional_text(params: dict, name: str, error: Callable[[str], ApiError]) -> str | None:
    """An optional string field."""
    raw = params.get(name)
    if raw is None:
        return None
    try:
        return parsing.text(raw, name)
    except ApiError as problem:
        raise error(problem.message) from None


def source_request(
    params: dict, profile: Profile, faults: Faults, *, error: Callable[[str], ApiError] = bad_request, check_limits: bool = True
) -> SourceRequest:
    """A checked POST /sources body (SRC-04/05, AMT-01..03, TRM-01..03); `error` picks the error code."""
    method = effective_method(_method(params, profile, error), profile, faults)
    amount = _required_int(params, "amount", error)
    currency = _currency(params, method, faults, error)
    term = _term(params, method, faults, error)
    if check_limits:
        _amount_in_limits(amount, method, term, faults, error)
    elif amount < 1:
        raise error(f"amount must be a positive number of satang; received {amount}")
    return SourceRequest(
        method=profile.method(method.type),
        amount=amount,
        currency=currency,
        installment_term=term,
        zero_interest_installments=_optional_bool(params, "zero_interest_installments", faults, error),
        promotion_code=_optional_text(params, "promotion_code", error),
    )


def charge_request(params: dict, profile: Profile, faults: Faults) -> ChargeRequest:
    """A checked POST /charges body: a source id (CHG-02) or an inline source (CHG-08, AMT-04, ZII-05)."""
    raw_source = params.get("source")
    if parsing.absent(raw_source):
        raise invalid_charge("source is required: a source id (source=src_test_...) or an inline source (source[type]=...)")
    zero_interest = _optional_bool(params, "zero_interest_installments", faults, invalid_charge)
    inline = None
    if isinstance(raw_source, dict):
        if faults.inline_charge_rejected:
            raise invalid_charge("source must be a source id (src_test_...)")
        inline = _inline_source(raw_source, params, zero_interest, profile, faults)
        source_id = None
    elif isinstance(raw_source, str):
        source_id = raw_source
    else:
        raise invalid_charge(f"source must be a source id or an object; received {parsing.shown(raw_source)}")
    amount = _required_int(params, "amount", invalid_charge)
    if amount < 1:
        raise invalid_charge(f"amount must be a positive number of satang; received {amount}")
    currency = params.get("currency")
    if parsing.absent(currency):
        raise invalid_charge("currency is required; send the source's currency (THB)")
    if not isinstance(currency, str) or len(currency) > 3:
        raise invalid_charge(f"currency {parsing.shown(currency)} is not a currency code; send the source's currency")
    metadata = params.get("metadata")
    return ChargeRequest(
        source_id=source_id,
        inline_source=inline,
        amount=amount,
        currency=currency.upper(),
        return_uri=_optional_text(params, "return_uri", invalid_charge) or None,
        zero_interest_installments=zero_interest,
        description=_optional_text(params, "description", invalid_charge),
        metadata=_metadata(metadata, invalid_charge),
    )


def _inline_source(raw: dict, params: dict, zero_interest: bool | None, profile: Profile, faults: Faults) -> SourceRequest:
    """The source of a one-call charge: its own fields, the charge's amount and currency, and the charge's flag (ZII-05)."""
    own = _optional_bool(raw, "zero_interest_installments", faults, invalid_charge)
    if zero_interest is not None and own is not None and own != zero_interest:
        raise invalid_charge(
            f"zero_interest_installments is {str(zero_interest).lower()} on the charge but {str(own).lower()} on the inline source; send one value"
        )
    flag = own if own is not None else zero_interest
    if faults.inline_zero_interest_not_applied_to_source:
        flag = own
    merged = {**raw, "amount": params.get("amount"), "currency": params.get("currency"), "zero_interest_installments": flag}
    return source_request(merged, profile, faults, error=invalid_charge, check_limits=not faults.inline_source_skips_limits)


def _metadata(raw: object, error: Callable[[str], ApiError]) -> dict:
    """Optional metadata: an object."""
    if parsing.absent(raw):
        return {}
    try:
        return parsing.mapping(raw, "metadata")
    except ApiError as problem:
        raise error(problem.message) from None


def refund_request(params: dict, faults: Faults) -> RefundRequest:
    """A checked POST /charges/{id}/refunds body."""
    amount = _required_int(params, "amount", bad_request)
    if amount < 1:
        raise failed_refund(f"amount must be a positive number of satang; received {amount}")
    return RefundRequest(
        amount=amount,
        metadata=_metadata(params.get("metadata"), bad_request),
        void=_optional_bool(params, "void", faults, bad_request),
    )


def failure_code(params: dict, method: Method, faults: Faults) -> str:
    """The failure code for mark_as_failed: the one sent (one of the method's codes) or the method's default."""
    raw = params.get("failure_code")
    if parsing.absent(raw):
        return method.failure_codes[0]
    if not isinstance(raw, str) or not raw:
        raise bad_request(f"failure_code must be a string; use one of {_listed(method.failure_codes)}")
    if raw not in method.failure_codes and not faults.failure_code_unchecked:
        raise bad_request(f"failure_code {parsing.shown(raw)} is not a failure code of {method.type}; use one of {_listed(method.failure_codes)}")
    return raw[:100]


ORDERS = ("chronological", "reverse_chronological")
MAX_LIMIT = 100
DEFAULT_LIMIT = 20


class ListQuery(NamedTuple):
    """Which page of a list to show: limit, offset, order and the created_at window."""

    limit: int
    offset: int
    order: str
    start: datetime
    end: datetime


def list_query(params: dict, now: datetime) -> ListQuery:
    """limit (1..100, default 20), offset (>= 0), order and from/to (ISO 8601) from the query string or a JSON body."""
    limit = DEFAULT_LIMIT if parsing.absent(params.get("limit")) else parsing.integer(params["limit"], "limit")
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"limit {limit} is out of range; send 1 to {MAX_LIMIT}")
    offset = 0 if parsing.absent(params.get("offset")) else parsing.integer(params["offset"], "offset")
    if offset < 0:
        raise bad_request(f"offset {offset} is negative; send 0 or more")
    order = params.get("order") or ORDERS[0]
    if order not in ORDERS:
        raise bad_request(f"order {parsing.shown(order)} is not known; use chronological or reverse_chronological")
    start = _moment(params.get("from"), "from", EPOCH)
    end = _moment(params.get("to"), "to", now)
    return ListQuery(limit=limit, offset=offset, order=order, start=start, end=end)


def _moment(raw: object, name: str, default: datetime) -> datetime:
    """An ISO 8601 time in UTC, or `default` when absent."""
    if parsing.absent(raw):
        return default
    if not isinstance(raw, str):
        raise bad_request(f"{name} must be an ISO 8601 time such as 2024-06-11T01:52:44Z; received {parsing.shown(raw)}")
    try:
        moment = datetime.fromisoformat(raw)
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise bad_request(f"{name} {parsing.shown(raw)} is not an ISO 8601 time; send e.g. 2024-06-11T01:52:44Z") from None


MAX_ADVANCE_SECONDS = 10 * 366 * 86400
LATEST_YEAR = 9000


def advance_seconds(params: dict, now: datetime) -> int:
    """POST /test_helpers/clock's advance_seconds: a whole number from 0 to ten years, keeping the clock before year 9000."""
    raw = params.get("advance_seconds")
    if parsing.absent(raw):
        raise bad_request("advance_seconds is required: the whole seconds to move the clock forward (e.g. 86400 for a day)")
    seconds = parsing.integer(raw, "advance_seconds")
    if not 0 <= seconds <= MAX_ADVANCE_SECONDS:
        raise bad_request(f"advance_seconds {seconds} is out of range; send 0 to {MAX_ADVANCE_SECONDS} (time only moves forward)")
    if (now + timedelta(seconds=seconds)).year >= LATEST_YEAR:
        raise bad_request(f"the clock would pass the year {LATEST_YEAR}; reset it with POST /test_helpers/reset")
    return seconds


def webhook_url(params: dict) -> str:
    """POST /test_helpers/webhook_endpoints's url: an absolute http or https URL."""
    raw = params.get("url")
    if parsing.absent(raw):
        raise bad_request("url is required: the http(s) URL that receives every later event as JSON")
    url = parsing.text(raw, "url")
    if not _is_http_url(url):
        raise bad_request(f"url {parsing.shown(url)} is not an absolute http(s) URL; send e.g. http://127.0.0.1:8000/webhooks")
    return url


def _is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host and, if any, a valid port."""
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 0) >= 0
    except ValueError:
        return False

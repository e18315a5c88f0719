"""Settings helpers that read the environment and refuse values they cannot understand."""

import ipaddress
import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def env_number(name: str, default: float, *, minimum: float = 0) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number; got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {raw!r}")
    return value


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = env_number(name, default, minimum=minimum)
    if value != int(value):
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}")
    return int(value)


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_rate(name: str, default: str | None) -> str | None:
    """A DRF throttle rate such as ``60/min``; ``none`` turns throttling off."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in {"none", "off", ""}:
        return None
    count, _, period = value.partition("/")
    if not count.isdigit() or period[:1] not in {"s", "m", "h", "d"}:
        raise ImproperlyConfigured(f"{name} must look like 60/min, 1000/hour or none; got {raw!r}")
    return value


def env_networks(name: str) -> list[str]:
    """Comma-separated IP addresses or CIDR ranges (``10.0.0.0/8, 192.0.2.7``), normalised."""
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses or CIDR ranges separated by commas "
                f"(such as 10.0.0.0/8, 192.0.2.7); {item!r} is neither"
            ) from None
    return networks


def env_seconds_list(name: str, default: list[float]) -> list[float]:
    """Comma-separated positive numbers of seconds (``10,60,600``), such as retry delays."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    values = []
    for item in raw.split(","):
        try:
            value = float(item)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must be numbers of seconds separated by commas (such as 10,60,600); "
                f"{item.strip()!r} is not a number"
            ) from None
        if not value > 0:
            raise ImproperlyConfigured(f"{name}: every delay must be above 0; got {item.strip()!r}")
        values.append(value)
    return values

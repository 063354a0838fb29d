"""A parsed link and the normalisation every platform rule shares (host, path, query, building a form)."""

from __future__ import annotations

import ipaddress
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from functions.domain.urls.tables import (
    _BLOCKED_TLDS,
    _DEFAULT_PORTS,
    _FACEBOOK_HOSTS,
    _FACEBOOK_PREFIXES,
    _GENERIC_PREFIXES,
    _HEX_DIGITS,
    _HOST_ALIASES,
    _HOST_LABEL_RE,
    _HTML_AMP_RE,
    _MAX_UNWRAP_DEPTH,
    _NUMERIC_LABEL_RE,
    _PATH_SAFE,
    _PLATFORM_DOMAINS,
    _PLATFORM_PREFIXES,
    _PLATFORM_TRACKING,
    _QUERY_SAFE,
    _SHORT_LINK_PATHS,
    _TRACKING_PARAMS,
    _TRACKING_PREFIXES,
    _UNRESERVED,
    _X_HOSTS,
    _X_PREFIXES,
    SHORT_LINK_HOSTS,
)


@dataclass(frozen=True, slots=True)
class _Parts:
    """A parsed link: canonical host, normalised path segments and query pairs."""

    host: str
    segments: tuple[str, ...]
    query: tuple[tuple[str, str | None], ...]
    fragment: str
    depth: int
    recurse: Callable[[str, int], str | None]  # canonicalise a wrapped link, one level deeper

    def param(self, name: str) -> str | None:
        """First decoded value of a query parameter, or None."""
        for key, value in self.query:
            if unquote(key) == name and value is not None:
                return unquote(value)
        return None


def platform_of(canonical: str) -> str | None:
    """Name the platform of a (canonical) link, or None for other sites."""
    try:
        hostname = urlsplit(canonical if "://" in canonical else "https://" + canonical).hostname
    except ValueError:
        return None
    host = (hostname or "").rstrip(".")
    for suffix, platform in _PLATFORM_DOMAINS.items():
        if host == suffix or host.endswith("." + suffix):
            return platform
    return None


def needs_resolving(canonical: str) -> bool:
    """True when a (canonical) link is a short link or wrapper that only a request can resolve."""
    try:
        split = urlsplit(canonical if "://" in canonical else "https://" + canonical)
        hostname = split.hostname
    except ValueError:
        return False
    host = _strip_host_prefixes((hostname or "").rstrip("."))
    if host in SHORT_LINK_HOSTS:
        return True
    segments = [segment for segment in split.path.split("/") if segment]
    if not segments:
        return False
    if (host, segments[0]) in _SHORT_LINK_PATHS:
        return True
    return host == "reddit.com" and len(segments) >= 4 and segments[0] == "r" and segments[2] == "s"


def _parse(text: str, bare: bool, depth: int, recurse: Callable[[str, int], str | None]) -> _Parts | None:
    cut = min((i for i in (text.find("?"), text.find("#")) if i >= 0), default=len(text))
    text = text[:cut].replace("\\", "/") + text[cut:]
    try:
        split = urlsplit(text)
    except ValueError:
        return None
    scheme = split.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not split.netloc:
        return None
    userinfo, _, hostport = split.netloc.rpartition("@")
    if bare and userinfo:
        return None  # "user@example.com" is an e-mail address, not a link
    host_and_port = _split_host_port(hostport)
    if host_and_port is None:
        return None
    raw_host, port = host_and_port
    host = _normalise_host(raw_host)
    if host is None:
        return None
    if port is not None and port not in (_DEFAULT_PORTS[scheme], _DEFAULT_PORTS["https"]):
        host = f"{host}:{port}"
    return _Parts(
        host=host,
        segments=_normalise_path(split.path),
        query=_normalise_query(split.query),
        fragment=split.fragment,
        depth=depth,
        recurse=recurse,
    )


def _split_host_port(hostport: str) -> tuple[str, int | None] | None:
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            return None
        host, rest = hostport[: end + 1], hostport[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port_text = rest[1:]
    else:
        host, _, port_text = hostport.partition(":")
    if not port_text:
        return host, None
    if not port_text.isascii() or not port_text.isdigit() or not 0 < int(port_text) <= 65535:
        return None
    return host, int(port_text)


def _normalise_host(raw_host: str) -> str | None:
    host = unquote(raw_host)
    if host.startswith("[") and host.endswith("]"):
        return _normalise_ip(host[1:-1], bracket=True)
    host = unicodedata.normalize("NFC", host).lower()
    host = host.removesuffix(".")
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    labels = ascii_host.split(".")
    if len(labels) < 2 or len(ascii_host) > 253:
        return None
    if _NUMERIC_LABEL_RE.match(labels[-1]):
        return _normalise_ip(ascii_host, bracket=False)
    if not all(_HOST_LABEL_RE.match(label) for label in labels) or labels[-1] in _BLOCKED_TLDS:
        return None
    if not any(ch.isalpha() for ch in labels[-1]):
        return None
    try:
        unicode_host = ascii_host.encode("ascii").decode("idna").lower()
    except UnicodeError:
        return None
    return _strip_host_prefixes(unicode_host)


def _normalise_ip(text: str, *, bracket: bool) -> str | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if not address.is_global:
        return None
    if address.version == 6:
        return f"[{address.compressed}]" if bracket else None
    return str(address)


def _strip_host_prefixes(host: str) -> str:
    changed = True
    while changed:
        changed = False
        base = host.split(".", 1)[1] if "." in host else host
        prefixes: tuple[str, ...] = _GENERIC_PREFIXES
        if base in _FACEBOOK_HOSTS:
            prefixes += _FACEBOOK_PREFIXES
        if base in _X_HOSTS:
            prefixes += _X_PREFIXES
        prefixes += _PLATFORM_PREFIXES.get(base, ())
        for prefix in prefixes:
            rest = host[len(prefix) :]
            if host.startswith(prefix) and "." in rest:
                host, changed = rest, True
                break
    return _HOST_ALIASES.get(host, host)


def _normalise_pct(text: str, safe: frozenset[str]) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "%" and i + 2 < n and text[i + 1] in _HEX_DIGITS and text[i + 2] in _HEX_DIGITS:
            decoded = chr(int(text[i + 1 : i + 3], 16))
            out.append(decoded if decoded in _UNRESERVED else "%" + text[i + 1 : i + 3].upper())
            i += 3
            continue
        if ch in safe:
            out.append(ch)
        else:
            out.extend(f"%{byte:02X}" for byte in ch.encode("utf-8"))
        i += 1
    return "".join(out)


def _normalise_path(path: str) -> tuple[str, ...]:
    segments: list[str] = []
    for raw_segment in path.split("/"):
        segment = _normalise_pct(raw_segment, _PATH_SAFE)
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    return tuple(segments)


def _normalise_query(query: str) -> tuple[tuple[str, str | None], ...]:
    pairs: list[tuple[str, str | None]] = []
    for item in query.split("&"):
        if not item:
            continue
        key, eq, value = item.replace("+", "%20").partition("=")
        norm_key = _HTML_AMP_RE.sub("", _normalise_pct(key, _QUERY_SAFE))  # "&amp;v=" pasted from HTML
        if not norm_key:
            continue
        pairs.append((norm_key, _normalise_pct(value, _QUERY_SAFE) if eq else None))
    return tuple(pairs)


def _is_tracking(key: str, platform: str | None) -> bool:
    name = unquote(key).lower()
    if name in _TRACKING_PARAMS or name.startswith(_TRACKING_PREFIXES):
        return True
    if platform == "facebook" and name.startswith("__"):
        return True
    return platform is not None and name in _PLATFORM_TRACKING.get(platform, frozenset())


def _build(host: str, segments: Sequence[str], query: Sequence[tuple[str, str | None]] = ()) -> str:
    url = "https://" + host
    if segments:
        url += "/" + "/".join(segments)
    if query:
        url += "?" + "&".join(key if value is None else f"{key}={value}" for key, value in sorted(query, key=_qkey))
    return url


def _qkey(pair: tuple[str, str | None]) -> tuple[str, str]:
    return pair[0], "" if pair[1] is None else "=" + pair[1]


def _generic(parts: _Parts, segments: Sequence[str] | None = None) -> str:
    platform = platform_of("https://" + parts.host)
    query = [(k, v) for k, v in parts.query if not _is_tracking(k, platform)]
    return _build(parts.host, parts.segments if segments is None else segments, query)


def _unwrap(parts: _Parts, param: str) -> str | None:
    target = parts.param(param)
    if target is None or parts.depth >= _MAX_UNWRAP_DEPTH:
        return None
    return parts.recurse(target, parts.depth + 1)


def _unwrap_relative(parts: _Parts, param: str, base: str) -> str | None:
    target = parts.param(param)
    if target is None or parts.depth >= _MAX_UNWRAP_DEPTH or not target.startswith("/"):
        return None
    return parts.recurse(base + target, parts.depth + 1)

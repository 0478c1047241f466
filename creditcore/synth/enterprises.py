"""The enterprises of a synthetic park: latent risk first, then everything it colours.

Each enterprise gets a latent risk in (0, 1) (a beta distribution, nudged by size and age) and a
possible downturn in the last years (`decline`, more likely the riskier the firm). Records,
observations, relations and outcomes are all drawn from these two, so a model that reads the
ledger well can recover them, and a back-test can check how well it did.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

import numpy as np

from creditcore.synth import vocab
from creditcore.synth.spec import (
    NAT,
    STREAM_ENTERPRISES,
    STREAM_TAGS,
    ParkSpec,
    day_number,
    from_day_number,
    stream,
)
from creditcore.uscc import CHARSET, with_check_character

INDUSTRIES: tuple[vocab.Industry, ...] = tuple(i for c in vocab.CLUSTERS for i in c.industries)
INDUSTRY_CLUSTER = np.array([k for k, c in enumerate(vocab.CLUSTERS) for _ in c.industries], dtype=np.int8)
NEW_CODES_FROM = day_number(date(2015, 10, 1))  # GB 32100 codes ("MA…") since then
TAGS = ("high_tech", "specialised", "gazelle", "unicorn", "new_economy")
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_ID_CHECK = "10X98765432"
_ORG_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_VALUES = {ch: i for i, ch in enumerate(_ORG_CHARS)}
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_ORG_CHECK = {**{c: str(c) for c in range(1, 10)}, 10: "X", 11: "0"}  # GB 11714: C = 11 - S mod 11


@dataclass(frozen=True, eq=False)
class Buildings:
    code: np.ndarray
    name: np.ndarray
    plot: np.ndarray
    zone: np.ndarray

    def __len__(self) -> int:
        return len(self.code)


@dataclass(frozen=True, eq=False)
class Tags:
    enterprise: np.ndarray  # row index into the enterprise table
    tag: np.ndarray  # index into TAGS
    since: np.ndarray  # day numbers
    until: np.ndarray


@dataclass(frozen=True, eq=False)
class EnterpriseTable:
    """Column arrays, one row per enterprise; enterprise ids are row index + 1."""

    risk: np.ndarray
    decline: np.ndarray  # strength of a downturn (0 for most): share of activity lost by as_of
    decline_start: np.ndarray  # month index within the history where the downturn begins
    in_park: np.ndarray
    cluster: np.ndarray
    industry: np.ndarray
    size: np.ndarray
    capital: np.ndarray
    founded: np.ndarray  # day numbers
    entry: np.ndarray  # day numbers, NAT outside the park
    building: np.ndarray  # index into Buildings, -1 outside the park
    status: np.ndarray  # index into vocab.STATUSES
    manufacturing: np.ndarray
    exporter: np.ndarray
    env_key: np.ndarray  # on the environmental authority's key list (rated every year)
    name: np.ndarray
    uscc: np.ndarray
    legal_representative: np.ndarray
    id_number: np.ndarray
    phone: np.ndarray
    address: np.ndarray
    buildings: Buildings
    tags: Tags

    def __len__(self) -> int:
        return len(self.risk)

    @property
    def ids(self) -> np.ndarray:
        return np.arange(1, len(self) + 1, dtype=np.int64)


@functools.lru_cache(maxsize=4)
def enterprise_table(spec: ParkSpec) -> EnterpriseTable:
    """The enterprises of `spec` (cached: every generator step of one spec reads the same table)."""
    rng = stream(spec, STREAM_ENTERPRISES)
    n = spec.enterprises
    as_of = day_number(spec.as_of)

    in_park = rng.random(n) >= spec.outside_share
    if not in_park.any():
        in_park[0] = True
    shares = np.array([c.share for c in vocab.CLUSTERS])
    cluster = rng.choice(len(shares), size=n, p=shares / shares.sum()).astype(np.int8)
    industry = _industry_within(rng, cluster)
    size = rng.choice(len(vocab.SIZES), size=n, p=np.array(vocab.SIZE_SHARES)).astype(np.int8)
    age_median = np.array([15.0, 10.0, 7.0, 4.0])[size]
    age_years = np.clip(age_median * rng.lognormal(0.0, 0.6, n), 0.3, 40.0)
    founded = as_of - np.round(age_years * 365.25).astype(np.int64)

    size_shift = np.array([-0.08, -0.04, 0.0, 0.04])[size]
    risk = np.clip(rng.beta(2.0, 5.0, n) + size_shift + np.where(age_years < 3, 0.03, 0.0), 0.01, 0.99)
    declining = rng.random(n) < 0.05 + 0.6 * risk**2
    decline = np.where(declining, rng.uniform(0.25, 0.7, n), 0.0)
    decline_start = rng.integers(12, spec.months - 3, n)

    entry_years = rng.uniform(0.0, np.minimum(age_years, 12.0))
    entry = np.where(in_park, as_of - np.round(entry_years * 365.25).astype(np.int64), NAT)
    status = np.zeros(n, dtype=np.int8)
    status[in_park & (risk > 0.7) & (rng.random(n) < 0.35)] = 1  # suspended
    outside_gone = ~in_park & (rng.random(n) < 0.02 + 0.1 * risk)
    status[outside_gone] = np.where(rng.random(n) < 0.5, 3, 4)[outside_gone]  # cancelled / revoked

    manufacturing = np.array([c.manufacturing for c in vocab.CLUSTERS])[cluster]
    exporter = rng.random(n) < np.where(manufacturing, 0.25, 0.05)
    env_key = manufacturing & (rng.random(n) < 0.5)
    capital = np.round(np.array(vocab.SIZE_CAPITAL)[size] * rng.lognormal(0.0, 0.7, n), -4)

    buildings, building = _buildings(rng, cluster, in_park)
    name = _company_names(rng, industry, size, in_park)
    uscc = _usccs(rng, founded, in_park)
    legal_representative = _person_names(rng, n)
    id_number = _id_numbers(rng, as_of, n)
    phone = _phones(rng, n)
    address = _addresses(rng, buildings, building, in_park)
    tags = _tags(spec, risk, cluster, size, founded, entry, in_park, age_years)
    return EnterpriseTable(
        risk=risk,
        decline=decline,
        decline_start=decline_start,
        in_park=in_park,
        cluster=cluster,
        industry=industry,
        size=size,
        capital=capital,
        founded=founded,
        entry=entry,
        building=building,
        status=status,
        manufacturing=manufacturing,
        exporter=exporter,
        env_key=env_key,
        name=name,
        uscc=uscc,
        legal_representative=legal_representative,
        id_number=id_number,
        phone=phone,
        address=address,
        buildings=buildings,
        tags=tags,
    )


def _industry_within(rng: np.random.Generator, cluster: np.ndarray) -> np.ndarray:
    """A class within each enterprise's cluster (the first classes of a cluster are the commonest)."""
    offsets = np.cumsum([0, *(len(c.industries) for c in vocab.CLUSTERS)])
    counts = np.diff(offsets)[cluster]
    # Zipf-like: position k drawn with weight 1/(k+1), via inverse transform on a harmonic scale.
    u = rng.random(len(cluster))
    position = np.minimum(np.floor(np.expm1(u * np.log1p(counts))).astype(np.int64), counts - 1)
    return (offsets[:-1][cluster] + position).astype(np.int16)


def _buildings(
    rng: np.random.Generator, cluster: np.ndarray, in_park: np.ndarray
) -> tuple[Buildings, np.ndarray]:
    """About one building per eight park enterprises, in the zone of each one's cluster."""
    n_zones = len(vocab.ZONES)
    preferred = np.array([c.zone for c in vocab.CLUSTERS])[cluster]
    zone = np.where(rng.random(len(cluster)) < 0.85, preferred, rng.integers(0, n_zones, len(cluster)))
    codes: list[str] = []
    names: list[str] = []
    plots: list[str] = []
    zones: list[str] = []
    building = np.full(len(cluster), -1, dtype=np.int32)
    for z in range(n_zones):
        members = np.flatnonzero(in_park & (zone == z))
        if len(members) == 0:
            continue
        count = max(1, round(len(members) / 8))
        first = len(codes)
        letter = vocab.ZONES[z][0]
        for k in range(1, count + 1):
            codes.append(f"{letter}{k}")
            names.append(f"{letter}{k}栋")
            plots.append(f"{vocab.ZONES[z]}{(k - 1) // 4 + 1}号地块")
            zones.append(f"{vocab.ZONES[z]}({vocab.ZONE_NAMES[z]})")
        building[members] = first + rng.integers(0, count, len(members))
    table = Buildings(*(np.array(x, dtype=object) for x in (codes, names, plots, zones)))
    return table, building


def _company_names(
    rng: np.random.Generator, industry: np.ndarray, size: np.ndarray, in_park: np.ndarray
) -> np.ndarray:
    """Unique names: place + two brand characters + industry word + company form."""
    n = len(industry)
    n_places = len(vocab.PLACES)
    brand = vocab.BRAND_CHARS
    words = [i.words for i in INDUSTRIES]
    names = np.empty(n, dtype=object)
    seen: set[str] = set()
    pending = np.arange(n)
    for attempt in range(50):
        k = len(pending)
        # Park firms often carry the county's name; counterparties come from all over the province.
        place = np.where(in_park[pending] & (rng.random(k) < 0.4), 0, rng.integers(0, n_places, k))
        b1 = rng.integers(0, len(brand), k)
        b2 = rng.integers(0, len(brand), k)
        w = rng.random(k)
        joint_stock = (size[pending] == 0) & (rng.random(k) < 0.4)
        suffix = rng.integers(0, 4, k)
        still: list[int] = []
        for j, i in enumerate(pending.tolist()):
            word_list = words[industry[i]]
            form = "股份有限公司" if joint_stock[j] else vocab.COMPANY_SUFFIXES[suffix[j]]
            extra = "" if attempt < 10 else str(attempt)  # a crowded park: fall back to a number
            candidate = (
                f"{vocab.PLACES[place[j]]}{brand[b1[j]]}{brand[b2[j]]}{extra}"
                f"{word_list[int(w[j] * len(word_list))]}{form}"
            )
            if candidate in seen or b1[j] == b2[j]:
                still.append(i)
                continue
            seen.add(candidate)
            names[i] = candidate
        if not still:
            return names
        pending = np.array(still)
    raise RuntimeError("无法生成足够多的不重复企业名称")  # pragma: no cover


def _usccs(rng: np.random.Generator, founded: np.ndarray, in_park: np.ndarray) -> np.ndarray:
    """Valid, unique USCCs: market-regulation enterprise (91), Henan area, organisation code.

    Organisation codes are distinct by construction: an affine permutation of the row index over
    31^6 ("MA" + six characters, codes issued since October 2015) or over 10^8 (older numeric ones).
    """
    n = len(founded)
    area = np.where(
        in_park & (rng.random(n) < 0.85),
        vocab.PARK_AREA_CODE,
        np.array(vocab.OTHER_AREA_CODES, dtype=object)[rng.integers(0, len(vocab.OTHER_AREA_CODES), n)],
    )
    space_new, space_old = 31**6, 10**8
    offset_new, offset_old = int(rng.integers(0, space_new)), int(rng.integers(0, space_old))
    index = np.arange(n, dtype=np.int64)
    serial_new = (index * 15_485_863 + offset_new) % space_new
    serial_old = (index * 48_271 + offset_old) % space_old
    new = founded >= NEW_CODES_FROM
    # Character values of the 8-character bodies, in the 0-9A-Z numbering of GB 11714.
    letters = np.array([_ORG_VALUES[ch] for ch in CHARSET], dtype=np.int64)
    powers = 31 ** np.arange(5, -1, -1, dtype=np.int64)
    new_digits = letters[(serial_new[:, None] // powers) % 31]
    old_digits = (serial_old[:, None] // 10 ** np.arange(7, -1, -1, dtype=np.int64)) % 10
    values = np.where(
        new[:, None],
        np.hstack([np.tile([_ORG_VALUES["M"], _ORG_VALUES["A"]], (n, 1)), new_digits]),
        old_digits,
    )
    check = 11 - (values @ _ORG_WEIGHTS) % 11
    bodies = np.array(list(_ORG_CHARS), dtype=object)[values]
    out = np.empty(n, dtype=object)
    for i in range(n):
        body = "".join(bodies[i])
        out[i] = with_check_character(f"91{area[i]}{body}{_ORG_CHECK[check[i]]}")
    return out


def _person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    surnames = vocab.SURNAMES
    given = vocab.GIVEN_CHARS
    s = rng.integers(0, len(surnames), n)
    g1 = rng.integers(0, len(given), n)
    g2 = rng.integers(0, len(given), n)
    two = rng.random(n) < 0.7
    return np.array(
        [surnames[a] + given[b] + (given[c] if t else "") for a, b, c, t in zip(s, g1, g2, two, strict=True)],
        dtype=object,
    )


def id_check_digit(first17: str) -> str:
    """GB 11643 check character of a citizen ID number (ISO 7064 MOD 11-2)."""
    return _ID_CHECK[int(np.dot([int(ch) for ch in first17], _ID_WEIGHTS)) % 11]


def _id_numbers(rng: np.random.Generator, as_of: int, n: int) -> np.ndarray:
    """18-digit citizen ID numbers of adults aged 28-65, Henan areas, valid check character."""
    area = np.array([int(a) for a in vocab.ID_AREA_CODES], dtype=np.int64)[
        rng.integers(0, len(vocab.ID_AREA_CODES), n)
    ]
    birth = (as_of - rng.integers(28 * 365, 65 * 365, n)).astype("datetime64[D]")
    ymd = np.char.replace(np.datetime_as_string(birth, unit="D"), "-", "").astype(np.int64)
    seq = rng.integers(0, 1000, n)
    first17 = (area * 10**8 + ymd) * 1000 + seq
    digits = (first17[:, None] // 10 ** np.arange(16, -1, -1, dtype=np.int64)) % 10
    check = np.array(list(_ID_CHECK), dtype=object)[(digits @ _ID_WEIGHTS) % 11]
    return np.array([f"{int(a):017d}{c}" for a, c in zip(first17, check, strict=True)], dtype=object)


def _phones(rng: np.random.Generator, n: int) -> np.ndarray:
    prefix = rng.integers(0, len(vocab.PHONE_PREFIXES), n)
    rest = rng.integers(0, 10**8, n)
    return np.array(
        [f"{vocab.PHONE_PREFIXES[p]}{int(r):08d}" for p, r in zip(prefix, rest, strict=True)], dtype=object
    )


def _addresses(
    rng: np.random.Generator, buildings: Buildings, building: np.ndarray, in_park: np.ndarray
) -> np.ndarray:
    n = len(building)
    city = rng.integers(0, len(vocab.OUTSIDE_CITIES), n)
    road = rng.integers(0, len(vocab.ROADS), n)
    number = rng.integers(1, 300, n)
    out = np.empty(n, dtype=object)
    for i in range(n):
        if in_park[i]:
            out[i] = f"河南省{vocab.CITY}{vocab.PARK_NAME}{buildings.name[building[i]]}"
        else:
            out[i] = f"河南省{vocab.OUTSIDE_CITIES[city[i]]}{vocab.ROADS[road[i]]}{int(number[i])}号"
    return out


def _tags(
    spec: ParkSpec,
    risk: np.ndarray,
    cluster: np.ndarray,
    size: np.ndarray,
    founded: np.ndarray,
    entry: np.ndarray,
    in_park: np.ndarray,
    age_years: np.ndarray,
) -> Tags:
    """Park tags with their periods; only park enterprises carry them."""
    rng = stream(spec, STREAM_TAGS)
    n = len(risk)
    as_of = day_number(spec.as_of)
    tech = np.isin(cluster, (0, 1, 3, 5))
    leading = np.isin(cluster, (0, 1))
    p = np.zeros((n, len(TAGS)))
    p[:, 0] = np.where(tech, 0.35, 0.05) * (1.2 - risk)
    p[:, 1] = np.where(leading & (size >= 1) & (size <= 2), 0.15, 0.02) * (1.3 - risk)
    p[:, 2] = np.where(age_years < 10, 0.06, 0.0) * (1.0 - risk)
    p[:, 4] = np.where(np.isin(cluster, (3, 4, 5)) & (age_years < 3), 0.6, 0.0)
    held = (rng.random((n, len(TAGS))) < p) & in_park[:, None]
    # Unicorns are rare: about one in five hundred, at least one in a park of 200 or more, always
    # a young, low-risk tech firm.
    candidates = np.flatnonzero(in_park & tech & (age_years < 10))
    wanted = min(len(candidates), max(round(n / 500), 1 if n >= 200 else 0))
    if wanted:
        held[candidates[np.argsort(risk[candidates], kind="stable")[:wanted]], 3] = True
    rows, tag = np.nonzero(held)
    years = np.array([3, 3, 1, 1, 3])[tag]
    start = np.maximum(founded[rows], entry[rows])
    since = start + (rng.random(len(rows)) * np.maximum(as_of - start, 1)).astype(np.int64)
    since = np.where(tag == 4, start, np.maximum(since, as_of - years * 365 + 30))
    tolerance = np.where(rng.random(len(rows)) < 0.5, 2, 3)  # 新业态 tolerance period: 2-3 years
    until_years = np.where(tag == 4, tolerance, years)
    until = np.array(
        [_plus_years(int(s), int(y)) - 1 for s, y in zip(since, until_years, strict=True)], dtype=np.int64
    )
    return Tags(enterprise=rows.astype(np.int64), tag=tag.astype(np.int8), since=since, until=until)


def _plus_years(day: int, years: int) -> int:
    start = from_day_number(day)
    try:
        shifted = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        shifted = start.replace(year=start.year + years, day=28)
    return day_number(shifted)

"""``flask demo``: a fictitious, clearly labelled programme to explore the platform.

Every name is invented; every e-mail address is on the reserved ``example.org`` domain and
every cohort name starts with "DEMO". Nothing runs by itself: an operator asks for it.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from learning import scale
from learning.accounts import services as accounts
from learning.accounts.models import OrganisationType, Role, User
from learning.cohorts.models import Cohort, CohortCountry, CohortFacilitator, EnrolmentStatus
from learning.cohorts.services import enrol
from learning.courses.catalogue import get_catalogue
from learning.db import db

# Eight countries, as in the programme: three francophone, five anglophone teams.
COUNTRIES = ["BI", "NE", "CD", "SS", "NG", "MM", "IQ", "JO"]
FRENCH_SPEAKING = {"BI", "NE", "CD"}
COHORTS = [
    ("DEMO — Bujumbura ToT (French)", "demo-bujumbura", "fr", "Bujumbura", ["BI", "NE", "CD"]),
    ("DEMO — Kampala ToT", "demo-kampala", "en", "Kampala", ["SS", "NG", "MM"]),
    ("DEMO — Amman ToT", "demo-amman", "en", "Amman", ["IQ", "JO"]),
]
FIRST_NAMES = ["Aline", "Moussa", "Grace", "Ibrahim", "Chantal", "Samuel", "Aïcha", "Pierre",
               "Nadia", "Joseph", "Fatouma", "Emmanuel", "Hawa", "David", "Zainab", "Élodie",
               "Yusuf", "Mariam", "Patrick", "Rania", "Thura", "Khin", "Omar", "Noor"]
LAST_NAMES = ["Ndayishimiye", "Issoufou", "Mbuyi", "Deng", "Okafor", "Aung", "Hassan",
              "Haddad", "Niyonzima", "Abdou", "Kabila", "Lado", "Adeyemi", "Win", "Karim",
              "Saleh", "Irakoze", "Moussa", "Tshibanda", "Garang"]
ORG_TYPES = [OrganisationType.UN_AGENCY, OrganisationType.INTERNATIONAL_NGO,
             OrganisationType.NATIONAL_NGO, OrganisationType.GOVERNMENT, OrganisationType.OTHER]
ORG_NAMES = {
    OrganisationType.UN_AGENCY: "Demo UN Children's Agency",
    OrganisationType.INTERNATIONAL_NGO: "Demo International Relief",
    OrganisationType.NATIONAL_NGO: "Demo Community Care",
    OrganisationType.GOVERNMENT: "Demo Ministry of Social Affairs",
    OrganisationType.OTHER: "Demo Faith Network",
}


@click.command("demo")
@with_appcontext
@click.option("--password-stdin", is_flag=True,
              help="Give every demo account the password read from standard input "
                   "(otherwise they are invited and can be reached from the outbox).")
@click.option("--seed", default=2019, show_default=True, help="Random seed, for repeatability.")
@click.option("--scale", type=click.IntRange(min=1), default=None, metavar="N",
              help="Instead: a synthetic programme of N participants for benchmarks "
                   "(progress, tests, trainings, reports; nobody can sign in).")
@click.option("--force", is_flag=True,
              help="With --scale: write even though the database holds real accounts.")
def demo_command(password_stdin: bool, seed: int, scale: int | None, force: bool) -> None:
    """Create a fictitious demo programme: 3 cohorts, 8 countries, about 60 participants."""
    if scale is not None:
        _scale_command(scale, seed, force)
        return
    if db.session.scalar(select(Cohort.id).where(Cohort.slug == COHORTS[0][1])):
        raise click.ClickException("The demo data is already loaded.")
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    if password is not None and len(password) < 10:
        raise click.UsageError("The password needs at least 10 characters.")
    rng = random.Random(seed)  # noqa: S311 (fictitious names, not security)
    counter = iter(range(1, 10_000))

    def person(role: Role, country: str | None, language: str, **extra: object) -> User:
        number = next(counter)
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        return accounts.create_user(
            email=f"demo.{role.value.replace('_', '-')}.{number}@example.org",
            name=f"{name} (demo)", role=role, language=language, country_code=country,
            password=password, **extra,  # type: ignore[arg-type]
        )

    organisations = {
        (country, kind): accounts.find_or_create_organisation(
            f"{ORG_NAMES[kind]} {country}", kind, country)
        for country in COUNTRIES for kind in ORG_TYPES
    }
    start = date.today() + timedelta(days=30)
    created = 0
    for index, (name, slug, language, venue, countries) in enumerate(COHORTS):
        first_day = start + timedelta(days=60 * index)
        cohort = Cohort(
            name=name, slug=slug, languages="fr,en" if language == "fr" else "en", venue=venue,
            start_date=first_day, end_date=first_day + timedelta(days=4),
            precourse_deadline=first_day - timedelta(days=7),
            countries=[CohortCountry(country_code=code) for code in countries],
        )
        db.session.add(cohort)
        db.session.flush()
        for _ in range(2):
            facilitator = person(Role.FACILITATOR, None, language, job_title="Facilitator")
            cohort.facilitators.append(CohortFacilitator(user_id=facilitator.id))
        for country in countries:
            lang = "fr" if country in FRENCH_SPEAKING else "en"
            person(Role.FOCAL_POINT, None, lang, focal_countries=[country],
                   job_title="National support focal point")
            person(Role.COORDINATOR, country, lang, job_title="Case-management sub-group lead")
            # A country team: six nominees and two alternates from several organisation types.
            team_size = 8
            for seat in range(team_size):
                kind = ORG_TYPES[seat % len(ORG_TYPES)]
                participant = person(
                    Role.PARTICIPANT, country, lang, organisation=organisations[(country, kind)],
                    job_title=rng.choice(["Case-management supervisor", "Child protection officer",
                                          "Social worker", "Programme manager"]),
                )
                status = (EnrolmentStatus.ALTERNATE if seat >= team_size - 2
                          else rng.choice([EnrolmentStatus.CONFIRMED, EnrolmentStatus.CONFIRMED,
                                           EnrolmentStatus.NOMINATED]))
                enrol(None, cohort, participant, status)  # type: ignore[arg-type]
                created += 1
    db.session.commit()
    click.echo(f"Demo data loaded: {len(COHORTS)} cohorts, {len(COUNTRIES)} countries, "
               f"{created} participants. Accounts use @example.org addresses; "
               + ("they sign in with the password given on standard input." if password else
                  "they have no password yet (use `users create` for your own test accounts)."))


def _scale_command(participants: int, seed: int, force: bool) -> None:
    refusal = scale.refusal(db.session, force)
    if refusal is not None:
        raise click.ClickException(refusal)
    started = time.perf_counter()
    counts = scale.generate(db.session, get_catalogue(), participants, seed=seed)
    db.session.commit()
    click.echo(f"Synthetic programme loaded in {time.perf_counter() - started:.1f} s: "
               f"{participants} participants, {counts.get('cohorts', 0)} cohorts "
               f"(addresses {scale.EMAIL_PREFIX}…@example.org, cohorts 'SCALE …').")
    for table, count in counts.items():
        click.echo(f"  {table}: {count}")

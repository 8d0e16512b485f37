"""The administrator's `hub assignments` (worker <-> family team role) and `hub caseloads` (caseworker <-> person).

    hub assignments add FAMILY_ID USER ROLE [--since YYYY-MM-DD]   # ROLE: COORDINATOR, MAKKERPAR, CORE_TEAM
    hub assignments end ASSIGNMENT_ID [--until YYYY-MM-DD]
    hub assignments list USER
    hub caseloads add USER PERSON_ID
    hub caseloads remove USER PERSON_ID
    hub caseloads list USER

USER is a user id or username. Every change is audited on the SECURITY chain with client `cli` and moves the
facts epoch, so running hubs see it at their next request (hub/auth/staffing.py). Errors: one line on stderr
with the error code (NOT_FOUND, BAD_USER_INPUT, CONFLICT), exit status 1.
"""

from __future__ import annotations

import argparse
from datetime import date

from hub.auth import staffing
from hub.auth.security_audit import CLI
from hub.auth.users_cli import fail, now, run_with_sessions
from hub.command import Command
from hub.errors import AppError
from hub.settings import Settings

# --- hub assignments ----------------------------------------------------------------------------------------


def _assignments_configure(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="put a worker on a family's team")
    add.add_argument("family_id", metavar="FAMILY_ID")
    add.add_argument("user", metavar="USER", help="user id or username")
    add.add_argument("team_role", metavar="ROLE", help="COORDINATOR, MAKKERPAR or CORE_TEAM")
    add.add_argument("--since", type=date.fromisoformat, default=None, help="first day (default today)")
    end = sub.add_parser("end", help="end a team assignment")
    end.add_argument("assignment_id", metavar="ASSIGNMENT_ID")
    end.add_argument("--until", type=date.fromisoformat, default=None, help="last day (default today)")
    lst = sub.add_parser("list", help="a worker's assignments")
    lst.add_argument("user", metavar="USER")


def _assignments_run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        if args.action == "add":
            views = [
                run_with_sessions(
                    settings,
                    lambda s: staffing.assign(
                        s,
                        CLI,
                        now(),
                        family_id=args.family_id,
                        user=args.user,
                        team_role=args.team_role,
                        since=args.since,
                    ),
                )
            ]
        elif args.action == "end":
            views = [
                run_with_sessions(
                    settings,
                    lambda s: staffing.end_assignment(
                        s, CLI, now(), assignment_id=args.assignment_id, until=args.until
                    ),
                )
            ]
        else:
            views = run_with_sessions(settings, lambda s: staffing.assignments_of(s, args.user))
    except AppError as exc:
        return fail(exc)
    for v in views:
        until = v.until.isoformat() if v.until else ""
        print(f"{v.id}\t{v.family_id}\t{v.user_id}\t{v.team_role}\t{v.since.isoformat()}\t{until}")
    return 0


# --- hub caseloads ------------------------------------------------------------------------------------------


def _caseloads_configure(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, text in (("add", "put a person on a caseworker's caseload"), ("remove", "take them off")):
        a = sub.add_parser(action, help=text)
        a.add_argument("user", metavar="USER", help="the caseworker's user id or username")
        a.add_argument("person_id", metavar="PERSON_ID")
    lst = sub.add_parser("list", help="a caseworker's caseload")
    lst.add_argument("user", metavar="USER")


def _caseloads_run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        if args.action == "add":
            views = [
                run_with_sessions(
                    settings,
                    lambda s: staffing.add_to_caseload(
                        s, CLI, now(), user=args.user, person_id=args.person_id
                    ),
                )
            ]
        elif args.action == "remove":
            views = [
                run_with_sessions(
                    settings,
                    lambda s: staffing.remove_from_caseload(
                        s, CLI, now(), user=args.user, person_id=args.person_id
                    ),
                )
            ]
        else:
            views = run_with_sessions(settings, lambda s: staffing.caseload_of(s, args.user))
    except AppError as exc:
        return fail(exc)
    for v in views:
        print(f"{v.id}\t{v.user_id}\t{v.person_id}\t{v.department.value}")
    return 0


COMMANDS = (
    Command(
        "assignments",
        "an administrator's team assignments (worker <-> family)",
        _assignments_configure,
        _assignments_run,
    ),
    Command(
        "caseloads",
        "an administrator's caseloads (caseworker <-> person)",
        _caseloads_configure,
        _caseloads_run,
    ),
)

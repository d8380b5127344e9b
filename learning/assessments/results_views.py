"""The cohort results page and its CSV/XLSX exports.

Staff only (participants see their own attempts elsewhere). The cohort is looked up in the
viewer's scope, so a cohort they do not run or cover is "not found"; what they see of it
(people or only their countries' aggregates) is decided by ``results.scope_for``.

Exports: ``/cohorts/<id>/results.csv`` or ``.xlsx`` with ``?table=`` one of ``knowledge``
(per-country and overall means, the default), ``participants`` (one row per person:
facilitators and admins only), ``items``, ``confidence`` or ``survey`` (with ``bank=``);
``bank=`` also picks the test or questionnaire when a cohort has several.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from learning.access import STAFF, roles
from learning.assessments import banks, bp, exports, results
from learning.audit.services import record
from learning.cohorts import services as cohorts
from learning.cohorts.models import Cohort
from learning.courses.catalogue import get_catalogue
from learning.db import db, write_intent


def _cohort_or_404(cohort_id: int) -> Cohort:
    cohort = cohorts.get_visible_cohort(current_user, cohort_id)
    if cohort is None:
        abort(404)
    return cohort


def _language() -> str:
    return "fr" if str(get_locale()).startswith("fr") else "en"


@bp.get("/cohorts/<int:cohort_id>/results")
@roles(STAFF)
def cohort_results(cohort_id: int) -> str:
    cohort = _cohort_or_404(cohort_id)
    results_scope = results.scope_for(current_user, cohort)
    language = _language()
    return render_template(
        "assessments/results/cohort.html",
        cohort=cohort,
        results=results.cohort_results(results_scope, get_catalogue()),
        language=language,
        answer_label=lambda question, point: exports.answer_label(question, point, language),
        statement_text=lambda question, statement_id: exports.statement_text(
            question, statement_id, language),
        bank_title=lambda bank_id, bank: exports.bank_title(bank_id, bank, language),
        fewer_than_minimum=exports.fewer_than_minimum(),
    )


def _build_table(results_scope: results.ResultsScope, table: str,
                 language: str) -> tuple[exports.Table, str] | None:
    """The requested table and the bank it describes (``bank`` chooses one; the first with
    results otherwise); None when there is no such table in the viewer's scope."""
    catalogue = get_catalogue()
    wanted_bank = request.args.get("bank")
    if table in ("knowledge", "participants", "items"):
        knowledge = next((found for found in results.knowledge_results(results_scope, catalogue)
                          if wanted_bank in (None, found.bank_id)), None)
        if knowledge is None:
            return None
        if table == "knowledge":
            return exports.knowledge_table(knowledge, language), knowledge.bank_id
        if table == "participants":
            if not results_scope.show_people:
                return None
            return exports.participants_table(knowledge, language), knowledge.bank_id
        items = results.item_analysis(results_scope, knowledge)
        return exports.items_table(items, language), knowledge.bank_id
    if table == "confidence":
        answered = (results.confidence_results(results_scope, bank)
                    for bank in results.banks_of_kind(catalogue, banks.Kind.CONFIDENCE)
                    if wanted_bank in (None, bank.id))
        confidence = next((found for found in answered
                           if found.respondents_before or found.respondents_after), None)
        if confidence is None:
            return None
        return exports.confidence_table(confidence, language), confidence.bank.id
    if table == "survey":
        bank = next((bank for bank in results.survey_banks(results_scope, catalogue)
                     if bank.id == wanted_bank), None)
        if bank is None:
            return None
        survey = results.survey_results(results_scope, bank)
        return exports.survey_table(survey, language), bank.id
    return None


def _export(cohort_id: int, file_format: str) -> Response:
    cohort = _cohort_or_404(cohort_id)
    results_scope = results.scope_for(current_user, cohort)
    table_name = request.args.get("table", "knowledge")
    built = _build_table(results_scope, table_name, _language())
    if built is None:
        abort(404)
    table, bank_id = built
    if file_format == "csv":
        body, mimetype = exports.to_csv(table), "text/csv; charset=utf-8"
    else:
        body = exports.to_xlsx(table)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    # This GET writes the audit event: end the read-only transaction the request opened
    # and take the write lock up front for the short write, as a POST would (learning.db).
    db.session.commit()
    write_intent.set(True)
    record("export.results", actor=current_user._get_current_object(), target=cohort,
           table=table_name, format=file_format, bank=bank_id, rows=len(table.rows))
    db.session.commit()
    filename = f"{cohort.slug}-results-{table_name}.{file_format}"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/cohorts/<int:cohort_id>/results.csv")
@roles(STAFF)
def results_csv(cohort_id: int) -> Response:
    return _export(cohort_id, "csv")


@bp.get("/cohorts/<int:cohort_id>/results.xlsx")
@roles(STAFF)
def results_xlsx(cohort_id: int) -> Response:
    return _export(cohort_id, "xlsx")

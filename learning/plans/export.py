"""The action plan as a PDF, in the reader's language (called inside a request, so the
labels and dates follow the request's locale)."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from learning.pdf import FONT_FAMILY, new_document
from learning.plans.forms import function_labels, status_labels
from learning.plans.models import ActionPlanItem
from learning.plans.services import ModulePlan

LINE = 5.5  # mm, for 10.5 pt text


def _paragraph(pdf: FPDF, text: str, size: float = 10.5, bold: bool = False,
               height: float = LINE) -> None:
    pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _item(pdf: FPDF, item: ActionPlanItem) -> None:
    _paragraph(pdf, item.action, size=11.5, bold=True, height=6)
    facts = [_("Function: %(function)s", function=function_labels()[item.function.value]),
             _("Status: %(status)s", status=status_labels()[item.status.value])]
    if item.target_date:
        facts.append(_("Target date: %(date)s", date=format_date(item.target_date, "long")))
    _paragraph(pdf, " · ".join(facts))
    for label, text in ((_("First steps"), item.first_steps),
                        (_("Support or resources needed"), item.support_needed),
                        (_("How you will know it worked"), item.success_measure),
                        (_("Notes on progress"), item.notes)):
        if text.strip():
            pdf.ln(1)
            _paragraph(pdf, label, bold=True)
            _paragraph(pdf, text)
    pdf.ln(4)


def plan_pdf(owner_name: str, plan: list[ModulePlan], language: str, today: date) -> bytes:
    title = _("Individual supervision action plan")
    pdf = new_document(language, title=f"{title} — {owner_name}", author=owner_name)
    pdf.add_page()
    _paragraph(pdf, title, size=17, bold=True, height=9)
    _paragraph(pdf, owner_name, size=12.5, height=7)
    _paragraph(pdf, _("Printed on %(date)s", date=format_date(today, "long")))
    pdf.ln(4)
    if not plan:
        _paragraph(pdf, _("Your plan has no actions yet."))
    for module in plan:
        heading = module.unit.title.get(language) if module.unit else _("Other actions")
        _paragraph(pdf, heading, size=13.5, bold=True, height=8)
        pdf.ln(1)
        for item in module.items:
            _item(pdf, item)
    return bytes(pdf.output())

"""The question types, registered by name in :data:`REGISTRY` (see ``base`` for the contract).

Importing this package registers every type of the bank format: ``single_choice``,
``multiple_choice``, ``true_false`` (``choice``); ``likert``, ``rating``, ``matrix``,
``ranking`` (``scales``); ``short_text``, ``long_text`` (``text``).

Templates: ``question_type(name).template`` is rendered with

- ``question``: the :class:`~learning.content.schema.Question`;
- ``value``: the saved (validated) value, or None;
- ``field``: the input name; types with several inputs post ``<field>.<key>`` (matrix:
  statement id, ranking: option id). Element ids start with ``field`` too, so it must be
  unique in the page (e.g. ``q-<question id>``); the fieldset's id is ``field`` itself;
- ``language``: "en" or "fr", the language of the bank's texts;
- ``show_feedback``: the attempt is submitted: inputs are shown disabled, with the option
  explanations and, when ``feedback`` is given, the outcome of each choice;
- ``feedback``: for choice questions, ``{input value: in the answer key}`` (option id, or
  "true"/"false" for true_false), as built by :func:`answer_key_feedback`; None otherwise.

``AnswerError.code`` names what was refused: ``invalid_value`` (wrong shape, several values
for one input), ``unknown_option``, ``duplicate_option``, ``out_of_range`` (rating outside
min..max, a scale id not on the agreement scale, a rank beyond N), ``unknown_statement``,
``duplicate_rank``, ``incomplete_ranking`` (fewer than N options ranked), ``too_long``,
``nul_character``.
"""

from __future__ import annotations

from learning.assessments.types.base import (
    REGISTRY,
    AnswerError,
    QuestionType,
    question_type,
    register,
)
from learning.assessments.types.choice import (
    MultipleChoice,
    SingleChoice,
    TrueFalse,
    answer_key_feedback,
)
from learning.assessments.types.scales import (
    AGREEMENT_SCALE,
    Likert,
    Matrix,
    Ranking,
    Rating,
    agreement_labels,
    ranks_to_fill,
    rating_bounds,
)
from learning.assessments.types.text import LongText, ShortText

__all__ = [
    "AGREEMENT_SCALE",
    "REGISTRY",
    "AnswerError",
    "Likert",
    "LongText",
    "Matrix",
    "MultipleChoice",
    "QuestionType",
    "Ranking",
    "Rating",
    "ShortText",
    "SingleChoice",
    "TrueFalse",
    "agreement_labels",
    "answer_key_feedback",
    "question_type",
    "ranks_to_fill",
    "rating_bounds",
    "register",
]

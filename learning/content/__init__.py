"""Course content as data: ``modules/`` (units and sections) and ``quizzes/`` (question banks).

``loader.load_catalogue`` reads everything once into the frozen objects of ``schema``
(Markdown rendered and sanitised by ``markdown``); ``checks.check_content`` lists every
problem with its file and line. Nothing here imports Flask except ``cli``, which adds
``flask content check``.
"""

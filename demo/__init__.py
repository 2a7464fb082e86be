"""The platform's main job in one command: two weeks of the operations plan, simulated.

``make demo`` starts the infrastructure and the five services on a shared accelerated
clock (see :mod:`demo.config`) and runs :mod:`demo.scenario` against their APIs and the
broker; then it hands the same run over to a real-speed clock (or stops it). Modules:
``articles`` (the sample set), ``audience`` (simulated readers), ``client`` (the
services' HTTP APIs), ``feedback_bus`` (``feedback.received`` on RabbitMQ), ``newsroom``
(editors and the reviewer), ``scenario`` (the timeline), ``post_ledger`` (the posts
accounted for, slot by slot), ``feedback_window`` (a slot's 24 hours of feedback and its
documents), ``progress`` (the live display),
``punctuality`` (the publisher's lateness judged once, for the timeline and the summary),
``summary`` (figures and artifacts), ``records`` (the run's manifest), ``status`` (what
runs after the hand-over and how to stop it), ``cleanup`` (a previous run's queues and
databases).
"""

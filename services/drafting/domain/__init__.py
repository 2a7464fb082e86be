"""The drafting rules, pure: no store, broker or HTTP. The use cases load, call and save.

``content``    what a draft says, its pictures' materials, the snapshot sent to review
``sanitise``   what is refused and what is tidied in a draft body
``states``     the state machine and the history steps
``facts``      what a draft keeps about its review and publishing
``lifecycle``  how those facts move a draft (the rules for late, doubled, reordered facts)
``draft``      the draft aggregate: editing, revisions, submitting
``revisions``  revisions and the diff between two
``listing``    the list of drafts: its filter and its lines
``topics``     topic ideas from reports and digests, ranked for editors
"""

"""The drafting service: drafts, materials (pictures and their origin), sources and topic ideas.

Editors write drafts (title, category, sanitised HTML body, digest, sources, pictures,
wished slot); every edit is a revision, diffable. Submitting sends the current revision
to review as ``draft.submitted`` through the outbox. The service follows each draft
through review and publishing (``draft.approved``, ``draft.rejected``, ``post.published``,
``post.failed``) and shows editors the topics customers care about (``report.ready``,
``feedback.digest.ready``).

Every draft, material and topic idea belongs to one official account (公众号, #12): roles
hold per account, lists take ``?account=`` (left out: every account the caller holds a
role on), and a draft's pictures are materials of its own account.
"""

"""The audience service: branches and their QR codes, followers, auto-replies, the menu (#14).

* **The accounts' push URLs live here** (``/wechat/push``, on with
  ``AUDIENCE_WECHAT_TOKEN``; ``/wechat/push/{account}`` for another account): signature,
  timestamp and safe-XML checks as in the feedback service; keyword auto-replies answered
  passively in the push response (WeChat waits 5 s); ``subscribe`` (``EventKey
  qrscene_<scene>``), ``SCAN`` and ``unsubscribe`` recorded once each (natural key
  ``FromUserName`` + ``CreateTime`` + ``Event``, or ``MsgId``). A message no rule answers,
  or one that asks a question, is handed to the feedback service as ``feedback.received``
  (``source=wechat_message``, ``source_id`` = ``MsgId``) through the outbox, so it is
  stored once there with its 12-hour reply clock. The feedback service keeps its own push
  endpoint for deployments without this service: configure WeChat's push URL to one of the
  two, never both.
* **Branches** (name, code, administrator, head-count target) get a permanent code
  (``QR_LIMIT_STR_SCENE``, scene ``branch:<code>``) and a printable poster (PNG, PDF:
  ``GET /branches/{code}/poster.pdf``), and are announced by ``branch.saved``;
  **campaigns** a temporary one (``QR_STR_SCENE``, scene ``campaign:<code>``).
* **Followers** are attributed to the branch or campaign of the scene (or WeChat's own
  source) and published as ``follower.subscribed`` / ``follower.unsubscribed``; a ``SCAN``
  from a follower is not a new follower. OpenIDs are stored as received; no nicknames.
  Followers who came before the codes are back-filled from ``user/get`` + ``user/info``,
  paged and resumable; daily totals are reconciled with ``datacube/getusersummary`` and
  ``getusercumulate`` (T+1) and the difference is shown (``GET /reconciliations``).
* **Auto-replies**: a greeting per branch or campaign, keyword rules (exact or contains,
  priority, active hours in China time) answering text, a picture or an article, and a
  default reply; compiled into a matcher each replica refreshes when the rules change.
* **The menu** (3 x 5 buttons: click, view, mini-program), checked against WeChat's limits
  before it is sent, versioned, published with ``menu/create`` (an earlier version rolls
  back); clicks counted by button and day.

* **Accounts** (#12, ``ACCOUNTS``): branches (a code is unique within its account),
  campaigns, followers, pushes, keyword rules, greetings, the menu and its versions, the
  back-fill and the reconciliation all belong to one official account. WeChat is called
  with each account's app id and secret (one client and token per account; the default
  account keeps ``AUDIENCE_WECHAT_*``); ``/wechat/push`` stays the default account's and
  ``/wechat/push/{account}`` serves another with its own token and message key. Events
  carry the account; list routes take ``?account=`` and show only the accounts the caller
  reads; changes need the role on the account they touch.

Modules (the skeleton every service shares, see ``services/README.md``): ``domain/``
(scenes, followers, replies and their matcher, the menu's limits, reconciliation),
``posters/`` (Pillow), ``ports``, ``repository/``, ``usecases/``, ``api`` + ``schemas``,
``push_api``, ``consumers`` (none), ``queues`` (follower queues waiting for reporting),
``errors``, ``deps``, ``bootstrap``.
"""

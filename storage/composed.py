"""The storage object both backends share: one line per method, saying which area answers it.

:class:`ComposedStorage` is the forwarding table (:func:`storage.forwarding.forward`) of the
:class:`storage.base.Storage` Protocol, written once. A backend subclasses it and, in its
``__init__``, sets one repository per area (``people``, ``due_queue``, ``checkins``, ...) on
its one connection, plus ``path``, ``open``, ``close`` and ``encrypts_text``: that is all that
differs between :class:`storage.sqlite.SqliteStorage` and
:class:`storage.postgres.PostgresStorage` at this level.
"""

from __future__ import annotations

from storage.attempts import CodeAttemptStore
from storage.checkins import CheckinStore
from storage.circles import CircleStore
from storage.conversations import ConversationStore
from storage.coordination import CoordinationStore
from storage.dashboard import DashboardStore
from storage.deliveries import DeliveryStore
from storage.due_queue import DueQueueStore
from storage.forwarding import forward
from storage.goals import GoalStore
from storage.links import LinkStore
from storage.matching import MatchingStore
from storage.mentoring import MentoringStore
from storage.people import PeopleStore
from storage.privacy import PrivacyStore
from storage.prompt_batches import PromptBatchStore
from storage.reporting import ReportStore
from storage.training import TrainingStore


class ComposedStorage:
    """Every storage method, forwarded to the repository of its area (set by the subclass)."""

    people: PeopleStore
    conversations: ConversationStore
    due_queue: DueQueueStore
    checkins: CheckinStore
    deliveries: DeliveryStore
    goals: GoalStore
    reporting: ReportStore
    mentoring: MentoringStore
    circles: CircleStore
    links: LinkStore
    attempts: CodeAttemptStore
    privacy: PrivacyStore
    prompt_batches: PromptBatchStore
    coordination: CoordinationStore
    dashboard: DashboardStore

    matching: MatchingStore
    training: TrainingStore

    # People, accounts, roles, consent, settings, invites (storage.people) -------------------------
    create_person = forward("people", PeopleStore.create_person)
    person_for_account = forward("people", PeopleStore.person_for_account)
    get_person = forward("people", PeopleStore.get_person)
    accounts_of = forward("people", PeopleStore.accounts_of)
    set_display_name = forward("people", PeopleStore.set_display_name)
    mark_onboarded = forward("people", PeopleStore.mark_onboarded)
    set_stopped = forward("people", PeopleStore.set_stopped)
    grant_role = forward("people", PeopleStore.grant_role)
    roles_of = forward("people", PeopleStore.roles_of)
    consents_of = forward("people", PeopleStore.consents_of)
    get_settings = forward("people", PeopleStore.get_settings)
    update_settings = forward("people", PeopleStore.update_settings)
    create_invite = forward("people", PeopleStore.create_invite)
    check_invite = forward("people", PeopleStore.check_invite)
    redeem_invite = forward("people", PeopleStore.redeem_invite)

    # Conversation state (storage.conversations) ---------------------------------------------------
    load_conversation = forward("conversations", ConversationStore.load_conversation)
    turn_facts = forward("conversations", ConversationStore.turn_facts)
    save_conversation = forward("conversations", ConversationStore.save_conversation)
    clear_conversation = forward("conversations", ConversationStore.clear_conversation)

    # The due queue (storage.due_queue) ------------------------------------------------------------
    set_due = forward("due_queue", DueQueueStore.set_due)
    clear_due = forward("due_queue", DueQueueStore.clear_due)
    get_due = forward("due_queue", DueQueueStore.get_due)
    claim_due = forward("due_queue", DueQueueStore.claim_due)
    due_per_minute = forward("due_queue", DueQueueStore.due_per_minute)
    renew_due_leases = forward("due_queue", DueQueueStore.renew_due_leases)
    oldest_due = forward("due_queue", DueQueueStore.oldest_due)
    advance_due = forward("due_queue", DueQueueStore.advance_due)

    # Check-ins and the sober-day counter (storage.checkins) ---------------------------------------
    open_checkin = forward("checkins", CheckinStore.open_checkin)
    get_checkin = forward("checkins", CheckinStore.get_checkin)
    latest_checkin = forward("checkins", CheckinStore.latest_checkin)
    completed_on = forward("checkins", CheckinStore.completed_on)
    record_answer = forward("checkins", CheckinStore.record_answer)
    record_open_answer = forward("checkins", CheckinStore.record_open_answer)
    finish_checkin = forward("checkins", CheckinStore.finish_checkin)
    answers_of = forward("checkins", CheckinStore.answers_of)
    complete_checkin = forward("checkins", CheckinStore.complete_checkin)
    set_streak = forward("checkins", CheckinStore.set_streak)
    mark_milestones = forward("checkins", CheckinStore.mark_milestones)
    count_miss = forward("checkins", CheckinStore.count_miss)

    # The delivery ledger (storage.deliveries) -----------------------------------------------------
    begin_delivery = forward("deliveries", DeliveryStore.begin_delivery)
    finish_delivery = forward("deliveries", DeliveryStore.finish_delivery)
    delivery_status = forward("deliveries", DeliveryStore.delivery_status)

    # Goals (storage.goals) ------------------------------------------------------------------------
    create_goal = forward("goals", GoalStore.create_goal)
    get_goal = forward("goals", GoalStore.get_goal)
    goals_of = forward("goals", GoalStore.goals_of)
    set_step_done = forward("goals", GoalStore.set_step_done)
    set_goal_done = forward("goals", GoalStore.set_goal_done)
    set_goal_aside = forward("goals", GoalStore.set_goal_aside)
    add_goal_comment = forward("goals", GoalStore.add_goal_comment)
    comments_of = forward("goals", GoalStore.comments_of)
    goal_review_day = forward("goals", GoalStore.goal_review_day)
    set_goal_review_day = forward("goals", GoalStore.set_goal_review_day)

    # The coordinator's report (storage.reporting) -------------------------------------------------
    people_by_role = forward("reporting", ReportStore.people_by_role)
    checkin_completion = forward("reporting", ReportStore.checkin_completion)
    retention = forward("reporting", ReportStore.retention)
    weekly_trends = forward("reporting", ReportStore.weekly_trends)
    goal_counts = forward("reporting", ReportStore.goal_counts)
    alert_rows = forward("reporting", ReportStore.alert_rows)
    circle_counts = forward("reporting", ReportStore.circle_counts)
    daily_scores = forward("reporting", ReportStore.daily_scores)
    prompted_days = forward("reporting", ReportStore.prompted_days)

    # Mentoring: pairings, alerts, safety plans, the audit log (storage.mentoring) -----------------
    pair = forward("mentoring", MentoringStore.pair)
    unpair = forward("mentoring", MentoringStore.unpair)
    set_backup = forward("mentoring", MentoringStore.set_backup)
    get_pairing = forward("mentoring", MentoringStore.get_pairing)
    pairing_of = forward("mentoring", MentoringStore.pairing_of)
    mentees_of = forward("mentoring", MentoringStore.mentees_of)
    active_pairings = forward("mentoring", MentoringStore.active_pairings)
    mentor_capacity = forward("mentoring", MentoringStore.mentor_capacity)
    set_mentor_capacity = forward("mentoring", MentoringStore.set_mentor_capacity)
    request_new_mentor = forward("mentoring", MentoringStore.request_new_mentor)
    people_with_role = forward("mentoring", MentoringStore.people_with_role)
    set_on_duty = forward("mentoring", MentoringStore.set_on_duty)
    on_duty = forward("mentoring", MentoringStore.on_duty)
    get_sharing = forward("mentoring", MentoringStore.get_sharing)
    set_sharing = forward("mentoring", MentoringStore.set_sharing)
    create_alert = forward("mentoring", MentoringStore.create_alert)
    get_alert = forward("mentoring", MentoringStore.get_alert)
    ack_alert = forward("mentoring", MentoringStore.ack_alert)
    open_alerts = forward("mentoring", MentoringStore.open_alerts)
    open_alerts_for_recipient = forward("mentoring", MentoringStore.open_alerts_for_recipient)
    record_step = forward("mentoring", MentoringStore.record_step)
    steps_of = forward("mentoring", MentoringStore.steps_of)
    record_possible = forward("mentoring", MentoringStore.record_possible)
    get_safety_plan = forward("mentoring", MentoringStore.get_safety_plan)
    save_safety_plan = forward("mentoring", MentoringStore.save_safety_plan)
    write_audit = forward("mentoring", MentoringStore.write_audit)
    audit_log = forward("mentoring", MentoringStore.audit_log)
    recent_checkins = forward("mentoring", MentoringStore.recent_checkins)

    # Peer circles and their sessions (storage.circles) --------------------------------------------
    create_circle = forward("circles", CircleStore.create_circle)
    get_circle = forward("circles", CircleStore.get_circle)
    update_circle = forward("circles", CircleStore.update_circle)
    cancel_circle = forward("circles", CircleStore.cancel_circle)
    circles_at_venue = forward("circles", CircleStore.circles_at_venue)
    circles_led_by = forward("circles", CircleStore.circles_led_by)
    active_circles = forward("circles", CircleStore.active_circles)
    save_occurrence = forward("circles", CircleStore.save_occurrence)
    get_occurrence = forward("circles", CircleStore.get_occurrence)
    occurrence_on = forward("circles", CircleStore.occurrence_on)
    occurrences_of = forward("circles", CircleStore.occurrences_of)
    upcoming_occurrences = forward("circles", CircleStore.upcoming_occurrences)
    cancel_occurrence = forward("circles", CircleStore.cancel_occurrence)
    set_rsvp = forward("circles", CircleStore.set_rsvp)
    fill_places = forward("circles", CircleStore.fill_places)
    rsvps_of = forward("circles", CircleStore.rsvps_of)
    get_rsvp = forward("circles", CircleStore.get_rsvp)
    set_reminders_off = forward("circles", CircleStore.set_reminders_off)
    start_session = forward("circles", CircleStore.start_session)
    get_session = forward("circles", CircleStore.get_session)
    open_session = forward("circles", CircleStore.open_session)
    sessions_of_occurrence = forward("circles", CircleStore.sessions_of_occurrence)
    sessions_of_circle = forward("circles", CircleStore.sessions_of_circle)
    set_runner = forward("circles", CircleStore.set_runner)
    set_speaker = forward("circles", CircleStore.set_speaker)
    set_speaking_order = forward("circles", CircleStore.set_speaking_order)
    end_session = forward("circles", CircleStore.end_session)
    mark_here = forward("circles", CircleStore.mark_here)
    attendance_of = forward("circles", CircleStore.attendance_of)
    record_share = forward("circles", CircleStore.record_share)
    record_pass = forward("circles", CircleStore.record_pass)
    set_hand = forward("circles", CircleStore.set_hand)
    last_spoke = forward("circles", CircleStore.last_spoke)
    record_pulse = forward("circles", CircleStore.record_pulse)
    pulses_of = forward("circles", CircleStore.pulses_of)
    attendance_by_person = forward("circles", CircleStore.attendance_by_person)
    save_mirrored_event = forward("circles", CircleStore.save_mirrored_event)
    mirrored_event = forward("circles", CircleStore.mirrored_event)
    forget_mirrored_event = forward("circles", CircleStore.forget_mirrored_event)

    # Linking a second account (storage.links) -----------------------------------------------------
    create_link_code = forward("links", LinkStore.create_link_code)
    request_link = forward("links", LinkStore.request_link)
    link_request = forward("links", LinkStore.link_request)
    answer_link_request = forward("links", LinkStore.answer_link_request)
    expire_link_request = forward("links", LinkStore.expire_link_request)
    linked_at = forward("links", LinkStore.linked_at)

    # Code attempts: the guessing throttle (storage.attempts) --------------------------------------
    code_throttle = forward("attempts", CodeAttemptStore.code_throttle)
    record_code_failure = forward("attempts", CodeAttemptStore.record_code_failure)
    code_failures = forward("attempts", CodeAttemptStore.code_failures)

    # Export, erasure, retention, key rotation (storage.privacy) -----------------------------------
    export_person = forward("privacy", PrivacyStore.export_person)
    erase_person = forward("privacy", PrivacyStore.erase_person)
    erasures = forward("privacy", PrivacyStore.erasures)
    purge_expired = forward("privacy", PrivacyStore.purge_expired)
    rotate_cipher = forward("privacy", PrivacyStore.rotate_cipher)

    # Prompt batches (storage.prompt_batches) ------------------------------------------------------
    prompt_batch_facts = forward("prompt_batches", PromptBatchStore.prompt_batch_facts)
    prepare_prompts = forward("prompt_batches", PromptBatchStore.prepare_prompts)
    finish_due_batch = forward("prompt_batches", PromptBatchStore.finish_due_batch)

    # Several processes on one database: singleton jobs, leases, turns (storage.coordination) -----
    claim_job_run = forward("coordination", CoordinationStore.claim_job_run)
    hold_lease = forward("coordination", CoordinationStore.hold_lease)
    release_lease = forward("coordination", CoordinationStore.release_lease)
    person_turn = forward("coordination", CoordinationStore.person_turn)
    # The coordinator dashboard: login links, open invites, recent alerts (storage.dashboard) -----
    create_login_link = forward("dashboard", DashboardStore.create_login_link)
    use_login_link = forward("dashboard", DashboardStore.use_login_link)
    open_invites = forward("dashboard", DashboardStore.open_invites)
    revoke_invite = forward("dashboard", DashboardStore.revoke_invite)
    recent_alerts = forward("dashboard", DashboardStore.recent_alerts)

    # Profiles for matching, re-match history, outcomes by person (storage.matching) ---------------
    match_profile = forward("matching", MatchingStore.match_profile)
    match_profiles = forward("matching", MatchingStore.match_profiles)
    save_match_profile = forward("matching", MatchingStore.save_match_profile)
    delete_match_profile = forward("matching", MatchingStore.delete_match_profile)
    rematch_requests = forward("matching", MatchingStore.rematch_requests)
    latest_pairings = forward("matching", MatchingStore.latest_pairings)
    completion_by_person = forward("matching", MatchingStore.completion_by_person)
    retention_by_person = forward("matching", MatchingStore.retention_by_person)

    # Mentors' trainings and supervision (storage.training) ----------------------------------------
    log_training = forward("training", TrainingStore.log_training)
    get_training = forward("training", TrainingStore.get_training)
    trainings_of = forward("training", TrainingStore.trainings_of)
    delete_training = forward("training", TrainingStore.delete_training)
    log_supervision = forward("training", TrainingStore.log_supervision)
    supervision_of = forward("training", TrainingStore.supervision_of)

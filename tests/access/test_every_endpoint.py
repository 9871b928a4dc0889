"""Every route is classified, and every route that is not public refuses a stranger.

A new endpoint fails this test until it is listed here; one that serves enveloped records must also
join the authorization matrix (tests/access/matrix.py), named in MATRIX below.
"""

import re

import pytest
from fastapi.routing import APIRoute

from fusioncell.app import create_app

PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/docs"),
    ("GET", "/api/v1/openapi.json"),
    ("POST", "/api/v1/auth/login"),
    ("GET", "/api/v1/ledger/key"),
}
# The operator's Prometheus alone, with the metrics token: no member's session or API token opens it.
OPERATOR = {("GET", "/metrics")}
GLOSSARY_MATRIX = "tests/glossary/test_matrix.py::test_terms_obey_the_matrix_in_lists_details_and_actions"
GLOSSARY_PAGE_MATRIX = (
    "tests/glossary/test_matrix.py::test_the_glossary_page_shows_each_member_exactly_what_it_may_read"
)
TRANSLATION_MATRIX = "tests/translation/test_api.py::test_who_may_not_read_the_message_gets_the_404_of_a_missing_one"
# Enveloped records: each entry names the test that runs the matrix over it.
LEDGER_MATRIX = "tests/ledger/test_endpoints.py::test_entries_obey_the_releasability_matrix"
MESSAGE_MATRIX = "tests/hotline/test_matrix.py::test_messages_obey_the_matrix_in_lists_details_and_actions"
ATTACHMENT_MATRIX = "tests/hotline/test_matrix.py::test_attachments_obey_the_matrix"
ESCALATION_MATRIX = "tests/hotline/test_matrix.py::test_escalations_obey_the_matrix"
FRAGMENT_MATRIX = "tests/web/test_hotline_pages.py::test_fragments_and_actions_obey_the_matrix"
STREAM_MATRIX = "tests/events/test_matrix.py::test_every_party_s_stream_carries_exactly_what_it_may_read"
NOTICE_MATRIX = "tests/deconfliction/test_matrix.py::test_notices_obey_the_matrix_in_lists_details_and_actions"
INCIDENT_MATRIX = "tests/incidents/test_matrix.py::test_incidents_obey_the_matrix_in_lists_details_and_actions"
COMPLAINT_MATRIX = "tests/incidents/test_matrix.py::test_complaints_obey_the_matrix_in_lists_details_and_actions"
INCIDENT_ESCALATION_MATRIX = "tests/incidents/test_matrix.py::test_incident_escalations_obey_the_matrix"
GEOJSON_EXPORT = "tests/incidents/test_exports.py::test_the_geojson_export_holds_exactly_what_the_party_may_read"
CSV_EXPORT = "tests/incidents/test_exports.py::test_the_csv_export_holds_exactly_what_the_party_may_read"
MAP_EXPORT = "tests/incidents/test_exports.py::test_the_map_feed_holds_exactly_what_the_party_may_read"
COT_EXPORT = "tests/incidents/test_cot.py::test_the_http_cot_endpoint_holds_exactly_what_the_party_may_read"
FUSION_PAGE_MATRIX = "tests/web/test_fusion_pages.py::test_fusion_pages_and_their_buttons_obey_the_matrix"
FUSION_MATRIX = "tests/fusion/test_matrix.py::test_fusions_obey_the_matrix_in_lists_details_and_actions"
INCIDENT_PAGE_MATRIX = "tests/web/test_incident_pages.py::test_incident_pages_and_their_button_obey_the_matrix"
INCIDENT_BUTTON_MATRIX = "tests/web/test_incident_actions.py::test_every_button_obeys_the_matrix"
NOTICE_PAGE_MATRIX = "tests/web/test_notice_pages.py::test_notice_pages_and_their_buttons_obey_the_matrix"
STATISTICS_MATRIX = "tests/incidents/test_statistics.py::test_every_member_counts_exactly_what_it_may_read"
WALL_MATRIX = "tests/web/test_desk_views.py::test_the_wall_queue_obeys_the_matrix"
POSTURE_MATRIX = "tests/verification/test_matrix.py::test_posture_declarations_obey_the_matrix"
INSPECTION_MATRIX = "tests/verification/test_matrix.py::test_inspections_obey_the_matrix"
POSITION_MATRIX = "tests/verification/test_matrix.py::test_positions_obey_the_matrix_in_lists_details_and_moves"
VERIFICATION_PAGE_MATRIX = (
    "tests/verification/test_matrix.py::test_verification_pages_and_their_buttons_obey_the_matrix"
)
INTEL_MATRIX = "tests/intel/test_matrix.py::test_reports_obey_the_matrix_in_lists_details_and_actions"
INTEL_PAGE_MATRIX = "tests/web/test_intel_pages.py::test_intel_pages_and_their_buttons_obey_the_matrix"
CORRELATION_MATRIX = "tests/intel/test_correlation.py::test_correlations_obey_the_matrix"
TAXII_READS = "tests/taxii/test_matrix.py::test_every_route_serves_each_party_exactly_what_it_may_read"
TAXII_WRITES = "tests/taxii/test_matrix.py::test_posts_and_statuses_answer_as_the_rules_say_for_every_member"
STATEMENT_MATRIX = (
    "tests/diplomacy/test_statement_matrix.py::test_statements_obey_the_matrix_in_lists_details_and_actions"
)
PARTY_KEY_MATRIX = "tests/diplomacy/test_statement_matrix.py::test_party_keys_obey_the_matrix_in_lists_and_details"
STATEMENT_PAGE_MATRIX = "tests/web/test_statement_pages.py::test_statement_pages_and_forms_obey_the_matrix"
ARTICLE_MATRIX = "tests/osint/test_article_matrix.py::test_articles_obey_the_matrix_in_lists_details_and_actions"
ARTICLE_PAGE_MATRIX = "tests/osint/test_article_matrix.py::test_article_pages_and_their_buttons_obey_the_matrix"
RECEIPT_MATRIX = (
    "tests/ledger/test_receipts.py::test_record_receipts_answer_404_as_for_a_missing_record_to_who_may_not_read"
)
PROJECT_MATRIX = "tests/commerce/test_matrix.py::test_projects_obey_the_matrix_in_lists_details_and_actions"
ORGANISATION_MATRIX = "tests/commerce/test_matrix.py::test_organisations_obey_the_matrix"
TARGETS_MATRIX = "tests/commerce/test_dashboard.py::test_every_member_counts_exactly_the_released_projects_it_may_read"
PROJECT_PAGE_MATRIX = "tests/commerce/test_dashboard.py::test_project_pages_and_their_forms_obey_the_matrix"
MEETING_MATRIX = "tests/diplomacy/meetings/test_matrix.py::test_meetings_obey_the_matrix_in_lists_details_and_actions"
MEETING_PAGE_MATRIX = "tests/diplomacy/meetings/test_pages.py::test_meeting_pages_and_their_buttons_obey_the_matrix"
COMMITMENT_MATRIX = (
    "tests/diplomacy/commitments/test_matrix.py::test_commitments_obey_the_matrix_in_lists_details_and_actions"
)
COMMITMENT_PAGE_MATRIX = (
    "tests/diplomacy/commitments/test_matrix.py::test_commitment_pages_and_their_buttons_obey_the_matrix"
)
COMMITMENT_ACTIONS = ("agree", "notes", "claim", "evidence", "contests", "contests/{contest_id}/ruling", "mark")
INTEL_EXPORT = "tests/intel/test_matrix.py::test_every_member_s_export_holds_exactly_the_objects_it_may_read"
MATRIX = {
    ("GET", "/api/v1/glossary"): GLOSSARY_MATRIX,
    ("GET", "/api/v1/glossary/{term_id}"): GLOSSARY_MATRIX,
    ("POST", "/api/v1/glossary/{term_id}/versions"): GLOSSARY_MATRIX,
    ("POST", "/api/v1/glossary/{term_id}/approvals"): GLOSSARY_MATRIX,
    ("GET", "/glossary"): GLOSSARY_PAGE_MATRIX,
    ("POST", "/glossary/{term_id}/versions"): GLOSSARY_MATRIX,
    ("POST", "/glossary/{term_id}/approve"): GLOSSARY_MATRIX,
    ("GET", "/api/v1/messages/{message_id}/translation"): TRANSLATION_MATRIX,
    ("GET", "/api/v1/stream"): STREAM_MATRIX,
    ("GET", "/api/v1/ledger/entries"): LEDGER_MATRIX,
    ("GET", "/api/v1/ledger/entries/{index}"): LEDGER_MATRIX,
    ("GET", "/api/v1/messages"): MESSAGE_MATRIX,
    ("GET", "/api/v1/messages/{message_id}"): MESSAGE_MATRIX,
    ("POST", "/api/v1/messages/{message_id}/read"): MESSAGE_MATRIX,
    ("POST", "/api/v1/messages/{message_id}/acknowledge"): MESSAGE_MATRIX,
    ("POST", "/api/v1/messages/{message_id}/retract"): MESSAGE_MATRIX,
    ("POST", "/api/v1/messages/{message_id}/approve"): MESSAGE_MATRIX,
    ("POST", "/api/v1/messages/{message_id}/return"): MESSAGE_MATRIX,
    ("POST", "/api/v1/messages/{message_id}/relay"): MESSAGE_MATRIX,
    ("GET", "/api/v1/attachments/{attachment_id}"): ATTACHMENT_MATRIX,
    ("GET", "/api/v1/attachments/{attachment_id}/content"): ATTACHMENT_MATRIX,
    ("GET", "/api/v1/escalations"): ESCALATION_MATRIX,
    ("GET", "/api/v1/escalations/{escalation_id}"): ESCALATION_MATRIX,
    # The hotline pages' message fragment and the actions of its buttons: the same service calls as the
    # API, run through the matrix again over these paths.
    ("GET", "/hotline/messages/{message_id}/fragment"): FRAGMENT_MATRIX,
    ("POST", "/hotline/messages/{message_id}/acknowledge"): FRAGMENT_MATRIX,
    ("POST", "/hotline/messages/{message_id}/approve"): FRAGMENT_MATRIX,
    ("POST", "/hotline/messages/{message_id}/return"): FRAGMENT_MATRIX,
    ("POST", "/hotline/messages/{message_id}/relay"): FRAGMENT_MATRIX,
    ("POST", "/hotline/messages/{message_id}/retract"): FRAGMENT_MATRIX,
    # Deconfliction notices. Who may act on what they can read: tests/deconfliction/test_matrix.py::
    # test_acknowledging_and_retracting_answer_as_the_rules_say_for_every_member_and_state.
    ("GET", "/api/v1/notices"): NOTICE_MATRIX,
    ("GET", "/api/v1/notices/{notice_id}"): NOTICE_MATRIX,
    ("POST", "/api/v1/notices/{notice_id}/acknowledge"): NOTICE_MATRIX,
    ("POST", "/api/v1/notices/{notice_id}/retract"): NOTICE_MATRIX,
    # The de-escalation desk's incidents, the complaints about them and their escalations. Who may act on
    # what they can read: tests/incidents/test_matrix.py::test_who_may_act_on_what_they_can_read.
    ("GET", "/api/v1/incidents"): INCIDENT_MATRIX,
    ("GET", "/api/v1/incidents/{incident_id}"): INCIDENT_MATRIX,
    ("POST", "/api/v1/incidents/{incident_id}/release"): INCIDENT_MATRIX,
    ("POST", "/api/v1/incidents/{incident_id}/approve"): INCIDENT_MATRIX,
    ("POST", "/api/v1/incidents/{incident_id}/acknowledge"): INCIDENT_MATRIX,
    ("POST", "/api/v1/incidents/{incident_id}/investigate"): INCIDENT_MATRIX,
    ("POST", "/api/v1/incidents/{incident_id}/finding"): INCIDENT_MATRIX,
    ("POST", "/api/v1/incidents/{incident_id}/close"): INCIDENT_MATRIX,
    ("POST", "/api/v1/incidents/{incident_id}/retract"): INCIDENT_MATRIX,
    ("POST", "/api/v1/incidents/{incident_id}/complaints"): INCIDENT_MATRIX,
    ("GET", "/api/v1/complaints"): COMPLAINT_MATRIX,
    ("GET", "/api/v1/complaints/{complaint_id}"): COMPLAINT_MATRIX,
    ("POST", "/api/v1/complaints/{complaint_id}/answer"): COMPLAINT_MATRIX,
    ("POST", "/api/v1/complaints/{complaint_id}/ruling"): COMPLAINT_MATRIX,
    ("GET", "/api/v1/incident-escalations"): INCIDENT_ESCALATION_MATRIX,
    ("GET", "/api/v1/incident-escalations/{escalation_id}"): INCIDENT_ESCALATION_MATRIX,
    # Fused incidents. The source reports inside one, per reader: tests/fusion/test_matrix.py::
    # test_each_source_report_in_a_fusion_is_shown_only_to_whom_its_own_envelope_allows; who may decide:
    # tests/fusion/test_fusion.py::test_only_the_mediator_decides.
    ("GET", "/api/v1/fusions"): FUSION_MATRIX,
    ("GET", "/api/v1/fusions/{fusion_id}"): FUSION_MATRIX,
    ("POST", "/api/v1/fusions/{fusion_id}/confirm"): FUSION_MATRIX,
    ("POST", "/api/v1/fusions/{fusion_id}/split"): FUSION_MATRIX,
    ("POST", "/api/v1/fusions/{fusion_id}/dismiss"): FUSION_MATRIX,
    # Their pages list exactly what the API lists to each member (same test).
    ("GET", "/fusions"): FUSION_PAGE_MATRIX,
    ("GET", "/fusions/{fusion_id}"): FUSION_PAGE_MATRIX,
    ("POST", "/fusions/{fusion_id}/confirm"): FUSION_PAGE_MATRIX,
    ("POST", "/fusions/{fusion_id}/split"): FUSION_PAGE_MATRIX,
    ("POST", "/fusions/{fusion_id}/dismiss"): FUSION_PAGE_MATRIX,
    # Exports of the incidents: each party's export equals its list, over drafts, releases to others and a
    # retraction (the TCP CoT feed: tests/incidents/test_cot.py::test_pytak_receives_the_incidents_...).
    ("GET", "/api/v1/incidents/export.geojson"): GEOJSON_EXPORT,
    ("GET", "/api/v1/incidents/export.csv"): CSV_EXPORT,
    ("GET", "/api/v1/incidents/map"): MAP_EXPORT,
    ("GET", "/api/v1/cot"): COT_EXPORT,
    # The incident pages: the queue lists exactly what the API lists to each member (same test), one
    # incident's page and its Acknowledge button answer the 404 of a missing one when unreadable.
    ("GET", "/incidents"): INCIDENT_PAGE_MATRIX,
    ("GET", "/incidents/{incident_id}"): INCIDENT_PAGE_MATRIX,
    ("POST", "/incidents/{incident_id}/acknowledge"): INCIDENT_PAGE_MATRIX,
    # The incident page's other buttons and the complaint buttons: the API's service calls, run through the
    # matrix again over these paths (an unreadable record is the 404 of a missing one, form fields or not).
    ("POST", "/incidents/{incident_id}/release"): INCIDENT_BUTTON_MATRIX,
    ("POST", "/incidents/{incident_id}/approve"): INCIDENT_BUTTON_MATRIX,
    ("POST", "/incidents/{incident_id}/investigate"): INCIDENT_BUTTON_MATRIX,
    ("POST", "/incidents/{incident_id}/finding"): INCIDENT_BUTTON_MATRIX,
    ("POST", "/incidents/{incident_id}/close"): INCIDENT_BUTTON_MATRIX,
    ("POST", "/incidents/{incident_id}/retract"): INCIDENT_BUTTON_MATRIX,
    ("POST", "/incidents/{incident_id}/complaints"): INCIDENT_BUTTON_MATRIX,
    ("POST", "/complaints/{complaint_id}/answer"): INCIDENT_BUTTON_MATRIX,
    ("POST", "/complaints/{complaint_id}/ruling"): INCIDENT_BUTTON_MATRIX,
    # The notice pages: the list shows exactly what the API lists to each member (same test).
    ("GET", "/notices"): NOTICE_PAGE_MATRIX,
    ("GET", "/notices/{notice_id}"): NOTICE_PAGE_MATRIX,
    ("POST", "/notices/{notice_id}/acknowledge"): NOTICE_PAGE_MATRIX,
    ("POST", "/notices/{notice_id}/retract"): NOTICE_PAGE_MATRIX,
    # The desk's figures count only what the caller may read; the dashboard renders the same function's.
    ("GET", "/api/v1/incidents/statistics"): STATISTICS_MATRIX,
    ("GET", "/dashboard/deescalation"): STATISTICS_MATRIX,
    # The operations-room wall: its overdue queue (also rendered into the page) lists what each member may read.
    ("GET", "/wall"): WALL_MATRIX,
    ("GET", "/wall/queue"): WALL_MATRIX,
    # The de-escalation desk's verification: declarations, inspections and the withdrawal tracker's positions.
    # Who may move a position: tests/verification/test_matrix.py::
    # test_moving_positions_answers_as_the_rules_say_for_every_member_and_state.
    ("GET", "/api/v1/posture-declarations"): POSTURE_MATRIX,
    ("GET", "/api/v1/posture-declarations/{declaration_id}"): POSTURE_MATRIX,
    ("GET", "/api/v1/inspections"): INSPECTION_MATRIX,
    ("GET", "/api/v1/inspections/{inspection_id}"): INSPECTION_MATRIX,
    ("GET", "/api/v1/positions"): POSITION_MATRIX,
    ("GET", "/api/v1/positions/{position_id}"): POSITION_MATRIX,
    ("POST", "/api/v1/positions/{position_id}/schedule"): POSITION_MATRIX,
    ("POST", "/api/v1/positions/{position_id}/withdraw"): POSITION_MATRIX,
    ("POST", "/api/v1/positions/{position_id}/verify"): POSITION_MATRIX,
    # The verification page lists exactly what the API lists to each member (same test); a position's page
    # and its buttons answer the 404 of a missing one when unreadable.
    ("GET", "/verification"): VERIFICATION_PAGE_MATRIX,
    ("GET", "/positions/{position_id}"): VERIFICATION_PAGE_MATRIX,
    ("POST", "/positions/{position_id}/schedule"): VERIFICATION_PAGE_MATRIX,
    ("POST", "/positions/{position_id}/withdraw"): VERIFICATION_PAGE_MATRIX,
    ("POST", "/positions/{position_id}/verify"): VERIFICATION_PAGE_MATRIX,
    # The intelligence desk's reports, their lifecycle, tearlines, answers and correlations; who may act on
    # what they can read: tests/intel/test_reports.py, test_tearlines.py, test_answers.py.
    ("GET", "/api/v1/intel/reports"): INTEL_MATRIX,
    ("GET", "/api/v1/intel/reports/{report_id}"): INTEL_MATRIX,
    ("POST", "/api/v1/intel/reports/{report_id}/release"): INTEL_MATRIX,
    ("POST", "/api/v1/intel/reports/{report_id}/second-approval"): INTEL_MATRIX,
    ("POST", "/api/v1/intel/reports/{report_id}/approve"): INTEL_MATRIX,
    ("POST", "/api/v1/intel/reports/{report_id}/return"): INTEL_MATRIX,
    ("POST", "/api/v1/intel/reports/{report_id}/retract"): INTEL_MATRIX,
    ("POST", "/api/v1/intel/reports/{report_id}/tearlines"): INTEL_MATRIX,
    ("POST", "/api/v1/intel/reports/{report_id}/sightings"): INTEL_MATRIX,
    ("POST", "/api/v1/intel/reports/{report_id}/opinions"): INTEL_MATRIX,
    ("GET", "/api/v1/intel/reports/{report_id}/correlations"): CORRELATION_MATRIX,
    ("GET", "/api/v1/intel/export.json"): INTEL_EXPORT,
    # The desk's pages: the list follows the API's list for each member, the reading view and every button
    # answer the 404 of a missing report when unreadable, the review queue holds only readable reports.
    ("GET", "/intel"): INTEL_PAGE_MATRIX,
    ("GET", "/intel/review"): INTEL_PAGE_MATRIX,
    ("GET", "/intel/reports/{report_id}"): INTEL_PAGE_MATRIX,
    ("POST", "/intel/reports/{report_id}/release"): INTEL_PAGE_MATRIX,
    ("POST", "/intel/reports/{report_id}/second-approval"): INTEL_PAGE_MATRIX,
    ("POST", "/intel/reports/{report_id}/approve"): INTEL_PAGE_MATRIX,
    ("POST", "/intel/reports/{report_id}/return"): INTEL_PAGE_MATRIX,
    ("POST", "/intel/reports/{report_id}/retract"): INTEL_PAGE_MATRIX,
    ("POST", "/intel/reports/{report_id}/tearlines"): INTEL_PAGE_MATRIX,
    ("POST", "/intel/reports/{report_id}/sightings"): INTEL_PAGE_MATRIX,
    ("POST", "/intel/reports/{report_id}/opinions"): INTEL_PAGE_MATRIX,
    # TAXII 2.1: a collection the caller may not see, and every object it may not read inside one it sees,
    # answer exactly as ones that do not exist; statuses are the posting party's alone.
    ("GET", "/taxii2/api/collections/{collection_id}/"): TAXII_READS,
    ("GET", "/taxii2/api/collections/{collection_id}/objects/"): TAXII_READS,
    ("GET", "/taxii2/api/collections/{collection_id}/objects/{object_id}/"): TAXII_READS,
    ("GET", "/taxii2/api/collections/{collection_id}/objects/{object_id}/versions/"): TAXII_READS,
    ("GET", "/taxii2/api/collections/{collection_id}/manifest/"): TAXII_READS,
    ("POST", "/taxii2/api/collections/{collection_id}/objects/"): TAXII_WRITES,
    ("GET", "/taxii2/api/status/{status_id}/"): TAXII_WRITES,
    # Joint statements and the parties' signing keys. Who may act on what they can read:
    # tests/diplomacy/test_statement_matrix.py::test_who_may_act_on_statements_and_keys_for_every_member
    ("GET", "/api/v1/statements"): STATEMENT_MATRIX,
    ("GET", "/api/v1/statements/{statement_id}"): STATEMENT_MATRIX,
    ("POST", "/api/v1/statements/{statement_id}/versions"): STATEMENT_MATRIX,
    ("GET", "/api/v1/statements/{statement_id}/diff"): STATEMENT_MATRIX,
    ("POST", "/api/v1/statements/{statement_id}/comments"): STATEMENT_MATRIX,
    ("POST", "/api/v1/statements/{statement_id}/signatures"): STATEMENT_MATRIX,
    ("POST", "/api/v1/statements/{statement_id}/signatures/stored"): STATEMENT_MATRIX,
    ("POST", "/api/v1/statements/{statement_id}/publish"): STATEMENT_MATRIX,
    ("GET", "/api/v1/statements/{statement_id}/bundle"): STATEMENT_MATRIX,
    ("GET", "/api/v1/party-keys"): PARTY_KEY_MATRIX,
    ("GET", "/api/v1/party-keys/{key_id}"): PARTY_KEY_MATRIX,
    # The joint statements' pages: the list shows exactly what each member may read; the editor, the printable
    # page and every form answer the 404 of a missing statement when unreadable (same test).
    ("GET", "/statements"): STATEMENT_PAGE_MATRIX,
    ("GET", "/statements/{statement_id}"): STATEMENT_PAGE_MATRIX,
    ("GET", "/statements/{statement_id}/print"): STATEMENT_PAGE_MATRIX,
    ("POST", "/statements/{statement_id}/sign"): STATEMENT_PAGE_MATRIX,
    ("POST", "/statements/{statement_id}/comments"): STATEMENT_PAGE_MATRIX,
    ("POST", "/statements/{statement_id}/versions"): STATEMENT_PAGE_MATRIX,
    ("POST", "/statements/{statement_id}/publish"): STATEMENT_PAGE_MATRIX,
    # Meetings and their minutes. Who may draft and approve: tests/diplomacy/meetings/test_matrix.py::
    # test_drafting_and_approving_answer_as_the_rules_say_for_every_member_and_state.
    ("GET", "/api/v1/meetings"): MEETING_MATRIX,
    ("GET", "/api/v1/meetings/{meeting_id}"): MEETING_MATRIX,
    ("POST", "/api/v1/meetings/{meeting_id}/minutes"): MEETING_MATRIX,
    ("POST", "/api/v1/meetings/{meeting_id}/minutes/approve"): MEETING_MATRIX,
    # The meeting pages: the past list shows exactly what the API lists to each member (same test).
    ("GET", "/meetings"): MEETING_PAGE_MATRIX,
    ("GET", "/meetings/{meeting_id}"): MEETING_PAGE_MATRIX,
    ("POST", "/meetings/{meeting_id}/minutes"): MEETING_PAGE_MATRIX,
    ("POST", "/meetings/{meeting_id}/minutes/approve"): MEETING_PAGE_MATRIX,
    # Commitments, their notes, evidence, contests and rulings. Who may act on what they can read:
    # tests/diplomacy/commitments/test_lifecycle.py, test_contests.py. The board and the chart hold exactly
    # what the API lists to each member (the page test).
    ("GET", "/api/v1/commitments"): COMMITMENT_MATRIX,
    ("GET", "/api/v1/commitments/{commitment_id}"): COMMITMENT_MATRIX,
    **{("POST", f"/api/v1/commitments/{{commitment_id}}/{a}"): COMMITMENT_MATRIX for a in COMMITMENT_ACTIONS},
    ("GET", "/api/v1/commitments/progress"): COMMITMENT_PAGE_MATRIX,
    ("GET", "/commitments"): COMMITMENT_PAGE_MATRIX,
    ("GET", "/commitments/{commitment_id}"): COMMITMENT_PAGE_MATRIX,
    **{("POST", f"/commitments/{{commitment_id}}/{a}"): COMMITMENT_PAGE_MATRIX for a in COMMITMENT_ACTIONS},
    # The commercial desk: projects (a project released only to the mediator is invisible to the other side in
    # every one of these), the military incidents in a site and the sites at an incident, organisations.
    # Receipts: the proof is public to members as leaves are; the entry's body and salt only to its readers, and
    # a record's receipt answers exactly as a missing record to who may not read the record.
    ("GET", "/api/v1/ledger/receipt"): RECEIPT_MATRIX,
    ("GET", "/api/v1/records/{kind}/{record_id}/receipt"): RECEIPT_MATRIX,
    # Open sources: articles, search, suggested links (shown only to readers of the article and of the record),
    # the digest; the pages hold exactly what the API lists to each member.
    ("GET", "/api/v1/osint/articles"): ARTICLE_MATRIX,
    ("GET", "/api/v1/osint/articles/{article_id}"): ARTICLE_MATRIX,
    ("GET", "/api/v1/osint/articles/{article_id}/links"): ARTICLE_MATRIX,
    ("POST", "/api/v1/osint/articles/{article_id}/links/{link_id}/confirm"): ARTICLE_MATRIX,
    ("POST", "/api/v1/osint/articles/{article_id}/links/{link_id}/dismiss"): ARTICLE_MATRIX,
    ("GET", "/api/v1/osint/digest"): ARTICLE_PAGE_MATRIX,
    ("GET", "/osint"): ARTICLE_PAGE_MATRIX,
    ("GET", "/osint/digest"): ARTICLE_PAGE_MATRIX,
    ("GET", "/osint/articles/{article_id}"): ARTICLE_PAGE_MATRIX,
    ("POST", "/osint/articles/{article_id}/links/{link_id}/confirm"): ARTICLE_PAGE_MATRIX,
    ("POST", "/osint/articles/{article_id}/links/{link_id}/dismiss"): ARTICLE_PAGE_MATRIX,
    ("GET", "/api/v1/projects"): PROJECT_MATRIX,
    ("GET", "/api/v1/projects/{project_id}"): PROJECT_MATRIX,
    ("PATCH", "/api/v1/projects/{project_id}"): PROJECT_MATRIX,
    ("POST", "/api/v1/projects/{project_id}/stage"): PROJECT_MATRIX,
    ("POST", "/api/v1/projects/{project_id}/release"): PROJECT_MATRIX,
    ("POST", "/api/v1/projects/{project_id}/retract"): PROJECT_MATRIX,
    ("GET", "/api/v1/projects/{project_id}/incidents"): PROJECT_MATRIX,
    ("GET", "/api/v1/projects/export.csv"): "tests/commerce/test_matrix.py::"
    "test_every_member_s_export_holds_exactly_what_it_may_read",
    ("GET", "/api/v1/incidents/{incident_id}/projects"): "tests/commerce/test_matrix.py::"
    "test_the_projects_at_an_incident_obey_the_matrix",
    ("GET", "/api/v1/organisations"): ORGANISATION_MATRIX,
    ("GET", "/api/v1/organisations/{organisation_id}"): ORGANISATION_MATRIX,
    # The dashboard counts exactly the released projects each member may read, API and page alike.
    ("GET", "/api/v1/projects/targets"): TARGETS_MATRIX,
    ("GET", "/api/v1/projects/targets/history"): TARGETS_MATRIX,
    ("GET", "/projects/dashboard"): TARGETS_MATRIX,
    ("GET", "/projects"): PROJECT_PAGE_MATRIX,
    ("GET", "/projects/{project_id}"): PROJECT_PAGE_MATRIX,
    ("POST", "/projects/{project_id}/stage"): PROJECT_PAGE_MATRIX,
    ("POST", "/projects/{project_id}/release"): PROJECT_PAGE_MATRIX,
    ("POST", "/projects/{project_id}/retract"): PROJECT_PAGE_MATRIX,
}
# Members only, and about the caller's own account or the public tree (leaves are blinded).
MEMBER = {
    ("POST", "/api/v1/glossary"),  # proposes (the mediator's); who may: tests/glossary/test_service.py
    ("POST", "/glossary"),  # the propose form: the API's schema and service; tests/glossary/test_pages.py
    ("GET", "/api/v1/machine-translation"),  # the pairs the installed models translate; no record read
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/tokens"),
    ("POST", "/api/v1/tokens"),
    ("POST", "/api/v1/tokens/{token_id}/revoke"),
    ("GET", "/api/v1/ledger/checkpoint"),
    ("GET", "/api/v1/ledger/status"),
    ("GET", "/api/v1/ledger/leaves"),
    ("GET", "/api/v1/ledger/proof/inclusion"),
    ("GET", "/api/v1/ledger/proof/consistency"),
    ("GET", "/api/v1/ledger/witnesses"),  # which witness cosigned which size: tests/ledger/test_witnessing.py
    ("GET", "/api/v1/channels"),  # the cell definition's channels; membership, not records
    ("POST", "/api/v1/messages"),  # creates; posting rights tested in tests/hotline/test_messages.py
    ("POST", "/api/v1/attachments"),
    ("POST", "/api/v1/notices"),  # creates; who may give in tests/deconfliction/test_notices.py
    # Create intelligence reports; who may write and what is refused: tests/intel/test_reports.py, test_bundles.py
    ("POST", "/api/v1/intel/reports"),
    ("POST", "/api/v1/intel/bundles"),
    ("GET", "/api/v1/intel/audience"),  # the cell definition's parties and markings; no record read
    ("GET", "/intel/compose"),  # the form; no record read
    # Schedules (the mediator's chairs only): tests/diplomacy/meetings/test_meetings.py::
    # test_only_the_mediator_s_chairs_schedule_and_draft; the form: tests/diplomacy/meetings/test_pages.py
    ("POST", "/api/v1/statements"),  # drafts (the mediator's); who may: the statements' matrix file
    ("POST", "/api/v1/party-keys"),  # a party's admins register their own party's key (same file)
    ("POST", "/api/v1/meetings"),
    ("POST", "/meetings"),
    # Create commitments; who may record and what is refused: tests/diplomacy/commitments/test_lifecycle.py,
    # test_overdue_and_evidence.py::test_bad_input_gets_a_clear_error_and_changes_nothing
    ("POST", "/api/v1/commitments"),
    ("POST", "/commitments"),  # the board's form: the API's schema and service
    # Create projects (as drafts of the caller's party, or released as the body says) and organisations; who may
    # write: tests/commerce/test_projects.py::test_only_the_origin_party_s_writers_change_a_project and
    # ::test_organisations_are_written_by_the_project_writers_only; the import: tests/commerce/test_csv.py.
    # A party's own sources and uploads: tests/osint/test_article_pages.py::
    # test_sources_are_the_partys_own_and_an_upload_is_ingested; what ingesting does: tests/osint/test_ingest_*.py
    ("GET", "/api/v1/osint/sources"),
    ("POST", "/api/v1/osint/sources"),
    ("POST", "/api/v1/osint/ingest"),
    ("GET", "/osint/sources"),  # the same: tests/osint/test_source_pages.py
    ("POST", "/osint/sources"),
    ("POST", "/api/v1/projects"),
    ("POST", "/api/v1/projects/import"),
    ("POST", "/api/v1/organisations"),
    ("POST", "/projects"),  # the register's forms: tests/commerce/test_pages.py
    ("POST", "/projects/import"),
    # TAXII discovery, the API root and the list of the collections the caller's party is in (no record read);
    # anything else under /taxii2/ answers 401, then 404 or 405, as a TAXII error message.
    ("GET", "/taxii2/"),
    ("GET", "/taxii2/api/"),
    ("GET", "/taxii2/api/collections/"),
    *((method, "/taxii2/{rest:path}") for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")),
    ("POST", "/intel/compose"),  # creates: the API's schema and service; tests/web/test_intel_pages.py
    ("GET", "/intel/audience"),  # the API's audience preview as a fragment (no record read)
    # Creates (mediator only, checked before any lookup): tests/fusion/test_fusion.py::test_only_the_mediator_decides
    ("POST", "/api/v1/fusions"),
    ("POST", "/api/v1/incidents"),  # creates; who may report in tests/incidents/test_reports.py::test_who_may_report
    ("POST", "/notices"),  # the notice form: the API's schema and handler; tests/web/test_notice_pages.py
    # Create; who may declare, inspect and register in tests/verification/test_postures.py, test_inspections.py
    # and test_positions.py (test_only_a_principal_s_officers_declare, test_only_observers_inspect, ...).
    ("POST", "/api/v1/posture-declarations"),
    ("POST", "/api/v1/inspections"),
    ("POST", "/api/v1/positions"),
    # The verification page's forms: the same handlers; tests/web/test_verification_forms.py.
    ("POST", "/verification/postures"),
    ("POST", "/verification/inspections"),
    ("POST", "/verification/positions"),
    ("GET", "/api/v1/inbox"),  # built from the same readable() filters as the lists above
    ("GET", "/api/v1/zones"),  # the cell definition's zones, lines and places; no records
    ("GET", "/api/v1/zones/classify"),  # where a point lies against those zones; stores nothing
    # A party's own webhooks (admins only): another party's answers the 404 of a missing one, proven in
    # tests/notifications/test_webhooks.py::test_another_partys_webhook_answers_exactly_like_a_missing_one
    ("POST", "/api/v1/webhooks"),
    ("GET", "/api/v1/webhooks"),
    ("GET", "/api/v1/webhooks/{webhook_id}"),
    ("POST", "/api/v1/webhooks/{webhook_id}/disable"),
    ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"),
    ("GET", "/api/v1/me/notifications"),  # the caller's own e-mail alerts
    ("PUT", "/api/v1/me/notifications"),
    # The signing key's rotations: records released to every party (ledger/rotation.py), proven by
    # tests/ledger/test_key_rotation.py.
    ("GET", "/api/v1/ledger/keys"),
    ("POST", "/logout"),
    ("POST", "/account/language"),  # the caller's own interface language: tests/web/test_i18n.py
    ("GET", "/"),
    ("GET", "/desks/{desk}"),
    ("GET", "/hotline"),  # the channels the party may see, counts under the readable() filter
    # A channel the party may not see is the 404 of a missing one: tests/web/test_hotline_pages.py::
    # test_a_party_never_sees_a_channel_it_is_not_in. Lists go through readable() as the API's do.
    ("GET", "/hotline/{channel_code}"),
    ("POST", "/hotline/{channel_code}/messages"),
    ("POST", "/hotline/{channel_code}/read"),
    ("GET", "/map"),
    ("GET", "/inbox"),
    ("GET", "/ledger"),
    ("GET", "/ledger/panel"),
    ("GET", "/account/tokens"),
    ("POST", "/account/tokens"),
    ("POST", "/account/tokens/{token_id}/revoke"),
    # The webhooks page: the API's service calls and admin rule; another party's webhook and its delivery
    # log answer the 404 of a missing one, proven in tests/web/test_notification_pages.py::
    # test_another_partys_webhooks_and_deliveries_are_never_shown
    ("GET", "/webhooks"),
    ("POST", "/webhooks"),
    ("GET", "/webhooks/{webhook_id}"),
    ("POST", "/webhooks/{webhook_id}/disable"),
}


def routes(app) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, including those of included routers (FastAPI keeps
    those behind a lazy wrapper whose effective routes carry the full path), and of routers included in
    those (a nested wrapper among the effective routes: walked too, or its routes escape every check)."""
    found = set()
    pending = list(app.routes)
    while pending:
        route = pending.pop()
        if hasattr(route, "effective_candidates"):  # an included router, itself perhaps including routers
            pending.extend(route.effective_candidates())
        elif isinstance(route, APIRoute) or hasattr(route, "methods") and hasattr(route, "path_format"):
            found |= {(method, route.path) for method in route.methods if method != "HEAD"}
    return found


def test_every_route_is_classified(runtime):
    app = create_app(runtime, background=False)
    found = routes(app)
    assert {("GET", "/api/v1/me"), ("GET", "/ledger"), ("GET", "/healthz")} <= found, "the route walk misses routes"
    unclassified = found - PUBLIC - OPERATOR - MEMBER - MATRIX.keys()
    assert not unclassified, f"classify these routes (and put record endpoints in the matrix): {unclassified}"


def sample_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "01a2179d-0000-7000-8000-000000000000", path.replace("{index}", "1"))


@pytest.mark.parametrize(("method", "path"), sorted(MEMBER | MATRIX.keys()))
def test_strangers_are_refused_everywhere_but_public_routes(client, method, path):
    response = client.request(method, sample_path(path), follow_redirects=False)
    if path.startswith(("/api/", "/taxii2/")):
        assert response.status_code == 401
    else:
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


@pytest.mark.parametrize(("method", "path"), sorted(OPERATOR))
def test_operator_routes_refuse_strangers_and_members_alike(client, population, method, path):
    from tests.support import bearer

    for headers in ({}, bearer(population.member("USA", "admin"))):
        response = client.request(method, path, headers=headers, follow_redirects=False)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"

"""Every record page offers the record's offline receipt, fetched with the page's own session: the C2SP
tlog-proof of its latest version, which `fusioncell ledger check-receipt` verifies with the verifier keys."""

import re
from datetime import timedelta

from fusioncell.ledger.receipts import verify_receipt
from fusioncell.ledger.service import checkpoint_if_due
from tests.diplomacy.commitments.conftest import commitment_body, liaison
from tests.web.test_pages import HTML


def test_a_commitment_page_links_a_receipt_that_verifies(client, browser, db, cell, signer, population):
    made = client.post("/api/v1/commitments", json=commitment_body(), headers=liaison(population, "USA")).json()
    checkpoint_if_due(db, signer=signer, origin=cell.log_origin, interval=timedelta(0))
    db.commit()
    page = browser(population.member("SYR", "liaison").username)
    html = page.get(f"/commitments/{made['id']}", headers=HTML).text
    href = re.search(r'href="([^"]+/receipt)"[^>]*data-testid="receipt-link"', html).group(1)
    assert href == f"/api/v1/records/commitment/{made['id']}/receipt"

    receipt = page.get(href)
    assert receipt.status_code == 200, receipt.text
    assert receipt.text.startswith("c2sp.org/tlog-proof@v1\n")
    verified = verify_receipt(receipt.text, log_vkey=signer.verifier_key(), witness_vkeys=[], quorum=0)
    assert verified.receipt.index == made["ledger_index"]

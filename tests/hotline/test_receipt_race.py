"""Officers of one party recording the same receipt at the same moment, on PostgreSQL with several workers:
each gets the one receipt (200), none a 500, and the record holds it once (found by bench/load.py)."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx

from fusioncell.demo import DEMO_PASSWORD
from tests.events.live import initialised_cell, start_server


async def race(base: str, rounds: int) -> dict[tuple[str, int], int]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:

        async def token(username: str) -> str:
            response = await client.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
            return response.json()["token"]

        isr = await token("isr.liaison")
        syr = [await token(username) for username in ["syr.liaison", "syr.deesc", "syr.intel"] * 4]
        answers: dict[tuple[str, int], int] = {}
        for round_ in range(rounds):
            message = await client.post(
                "/api/v1/messages",
                headers={"Authorization": f"Bearer {isr}"},
                json={"channel": "hotline", "body": f"receipt race {round_}", "precedence": "immediate"},
            )
            assert message.status_code == 201, message.text
            for action in ("read", "acknowledge"):
                path = f"/api/v1/messages/{message.json()['id']}/{action}"
                sent = [client.post(path, headers={"Authorization": f"Bearer {t}"}) for t in syr]
                for response in await asyncio.gather(*sent):
                    key = (action, response.status_code)
                    answers[key] = answers.get(key, 0) + 1
        return answers


def test_simultaneous_receipts_of_one_party_are_recorded_once(tmp_path):
    with initialised_cell("postgresql", tmp_path) as cell:
        server = start_server(cell.env, tmp_path / "workers.log", "--workers", "3")
        cell.servers.append(server)
        # A loop of its own in a thread of its own: an earlier test of the session may leave this thread's loop running.
        with ThreadPoolExecutor(1) as thread:
            answers = thread.submit(asyncio.run, race(server.base, rounds=4)).result()
        assert answers == {("read", 200): 48, ("acknowledge", 200): 48}
        hotline = cell.get("ISR", "/api/v1/messages?channel=hotline&limit=200").json()["items"]
        raced = [m for m in hotline if m["body"].startswith("receipt race")]
        assert len(raced) == 4
        for message in raced:
            receipts = [(r["party"], r["kind"]) for r in message["receipts"]]
            assert sorted(receipts) == sorted(set(receipts)) and ("SYR", "acknowledged") in receipts

import asyncio

from shared.jobs import job_lock_key, periodic


async def test_a_periodic_job_survives_a_failing_round_and_stops_when_told():
    rounds: list[int] = []
    stop = asyncio.Event()

    async def run_once() -> int:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise ConnectionError("database restarting")
        if len(rounds) == 3:
            stop.set()
        return len(rounds)

    await asyncio.wait_for(periodic("probe", 0.01, run_once)(stop), timeout=5)
    assert rounds == [0, 1, 2]  # the failure did not end the job; the stop did


def test_job_lock_keys_are_stable_and_distinct_per_job():
    # the tiering scheduler's lock ids from before shared.jobs, kept for mixed-version fleets
    assert job_lock_key("tiering.expiry") == 735004510  # zlib.crc32(b"patronage.tiering.expiry")
    assert job_lock_key("tiering.review") != job_lock_key("tiering.expiry")

-- Group commit of recharges (store/recharge_groups.py): the recharges gathered in one
-- process for a millisecond or two, written by ONE statement, so ONE transaction and ONE
-- commit (one WAL flush) for the group instead of one per recharge.
--
-- p_calls is a jsonb array of objects, one per recharge, holding wallet_recharge's
-- arguments by name (p_scope ... p_freeze_payload) and `i`, the caller's index. Each call
-- runs in its own subtransaction (the BEGIN ... EXCEPTION block), so a refusal the function
-- raises (a cap, a frozen wallet: SQLSTATE P0001) or a reused pos_reference (23505) rolls
-- back that recharge only and comes back as its row (outcome 'refused' with the error's
-- state, message and detail) while the others commit. Anything else (a deadlock, a lost
-- connection, a bug) is not caught: the statement fails, nothing of the group is written,
-- and the caller writes the group's recharges one by one.
--
-- Calls are taken in (member, currency) order, so two groups lock shared wallets in the
-- same order and cannot deadlock on them. The same Idempotency-Key twice in a group: the
-- advisory lock is the session's already, and the second call finds the first's record
-- (replayed, or key_reused for a different body), as it would after the first's commit.
CREATE OR REPLACE FUNCTION wallet_recharge_group(p_calls jsonb)
RETURNS TABLE (call_no int, call_outcome text, call_status int, call_body bytea,
               error_state text, error_message text, error_detail text)
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  c record;
  done record;
BEGIN
  FOR c IN SELECT * FROM jsonb_to_recordset(p_calls) AS x(
      i int, p_scope text, p_key text, p_lock_key bigint, p_hash bytea,
      p_recharge_id uuid, p_lot_id uuid, p_entry_id uuid, p_member_id text, p_currency text,
      p_amount bigint, p_payment_method text, p_payment_reference text, p_store_id text,
      p_terminal_id text, p_channel text, p_pos_reference text, p_now timestamptz,
      p_now_text text, p_limits jsonb, p_lines jsonb, p_event_id uuid, p_topic text,
      p_ce_type text, p_headers jsonb, p_payload jsonb, p_risk_rules jsonb,
      p_freeze_event_id uuid, p_freeze_ce_type text, p_freeze_headers jsonb,
      p_freeze_payload jsonb)
    ORDER BY x.p_member_id, x.p_currency, x.i
  LOOP
    call_no := c.i;
    error_state := NULL; error_message := NULL; error_detail := NULL;
    BEGIN
      SELECT w.outcome, w.status_code, w.body INTO done FROM wallet_recharge(
        c.p_scope, c.p_key, c.p_lock_key, c.p_hash, c.p_recharge_id, c.p_lot_id,
        c.p_entry_id, c.p_member_id, c.p_currency, c.p_amount, c.p_payment_method,
        c.p_payment_reference, c.p_store_id, c.p_terminal_id, c.p_channel,
        c.p_pos_reference, c.p_now, c.p_now_text, c.p_limits, c.p_lines, c.p_event_id,
        c.p_topic, c.p_ce_type, c.p_headers, c.p_payload, c.p_risk_rules,
        c.p_freeze_event_id, c.p_freeze_ce_type, c.p_freeze_headers, c.p_freeze_payload) AS w;
      call_outcome := done.outcome; call_status := done.status_code; call_body := done.body;
    EXCEPTION WHEN raise_exception OR unique_violation THEN
      GET STACKED DIAGNOSTICS error_state = RETURNED_SQLSTATE, error_message = MESSAGE_TEXT,
                              error_detail = PG_EXCEPTION_DETAIL;
      call_outcome := 'refused'; call_status := NULL; call_body := NULL;
    END;
    RETURN NEXT;
  END LOOP;
END $$

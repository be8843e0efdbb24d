-- The recharge hot path in one statement (store/recharges.py calls it in autocommit).
-- Defined here once; `shared.db.migrations.upgrade_to_head` re-applies it after every
-- migration run, in the service's schema. To change it, edit this file (a new signature
-- also needs a migration that drops the old one, as 0004 and 0005 do).
--
-- Outcomes: created / replayed (201 + the stored body) / in_progress (409) / key_reused
-- (422). The caps' refusals (DETAIL: the kind) and a reused pos_reference raise, so
-- nothing of the request survives. What Python decides arrives decided: the journal lines
-- (rules/entries.py: recharge_lines, a jsonb array of {account, member_id, amount} in line
-- order; jsonb rather than a bigint[], which the driver would introspect on each new
-- connection) and the RechargeCompleted payload,
-- built and validated by the catalog model, as jsonb without the fields only the database
-- knows (is_first_recharge, lifetime_recharged, card_kind, risk_reasons, principal_held),
-- which are added here. The caps need the card's kind and the balance before the recharge,
-- so they are applied here; rules/recharges.py:check_caps is the rule they must agree with
-- (tests/integration/wallet/test_recharge_function.py).
-- Risk (its own block below): a frozen member's recharge is refused ('wallet_frozen'); the
-- short-window amount rules (rules/risk.py, passed in as jsonb) may hold the principal lot
-- and freeze the wallet, emitting the WalletFrozen event Python built (p_freeze_*).
CREATE OR REPLACE FUNCTION wallet_recharge(
  p_scope text, p_key text, p_lock_key bigint, p_hash bytea,
  p_recharge_id uuid, p_lot_id uuid, p_entry_id uuid, p_member_id text, p_currency text,
  p_amount bigint, p_payment_method text, p_payment_reference text, p_store_id text,
  p_terminal_id text, p_channel text, p_pos_reference text, p_now timestamptz,
  p_now_text text, p_limits jsonb,
  p_lines jsonb,
  p_event_id uuid, p_topic text, p_ce_type text, p_headers jsonb, p_payload jsonb,
  p_risk_rules jsonb, p_freeze_event_id uuid, p_freeze_ce_type text, p_freeze_headers jsonb,
  p_freeze_payload jsonb
) RETURNS TABLE (outcome text, status_code int, body bytea)
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  stored record;
  before record;
  after record;
  receipt bytea;
  kind text;
  caps jsonb;
  risk_rule record;
  window_sum bigint;
  findings jsonb := '[]'::jsonb;
  principal_is_held boolean := false;
  freezing text;
BEGIN
  -- The caller wakes the relay after commit: a NOTIFY in this transaction would serialise
  -- the commits of all recharges (migration 0003).
  PERFORM set_config('patronage.outbox_notify', 'by_caller', true);
  IF NOT pg_try_advisory_xact_lock(p_lock_key) THEN
    RETURN QUERY SELECT 'in_progress'::text, 409, NULL::bytea; RETURN;
  END IF;
  SELECT i.request_hash, i.status_code, i.response INTO stored
    FROM idempotency_keys i WHERE i.scope = p_scope AND i.key = p_key;
  IF FOUND THEN
    IF stored.request_hash <> p_hash THEN
      RETURN QUERY SELECT 'key_reused'::text, 422, NULL::bytea; RETURN;
    END IF;
    RETURN QUERY SELECT 'replayed'::text, stored.status_code, stored.response; RETURN;
  END IF;

  -- Cards by kind: an id tiering enrolled (registered_members, the projection of
  -- MemberEnrolled) has the registered caps, any other id the card caps; p_limits is
  -- {"registered": {"max_recharge", "max_balance"}, "card": {...}} from the settings.
  kind := CASE WHEN EXISTS (SELECT 1 FROM registered_members r
                            WHERE r.member_id = p_member_id) THEN 'registered' ELSE 'card' END;
  caps := p_limits -> kind;
  IF (caps ->> 'max_recharge') IS NULL OR (caps ->> 'max_balance') IS NULL THEN
    -- a NULL cap would compare as "not above": never let a missing cap mean no cap
    RAISE EXCEPTION 'wallet_recharge: p_limits has no caps for %', kind;
  END IF;
  IF p_amount > (caps ->> 'max_recharge')::bigint THEN
    RAISE EXCEPTION 'recharge_above_limit' USING ERRCODE = 'P0001', DETAIL = kind;
  END IF;

  INSERT INTO wallets AS w (member_id, currency) VALUES (p_member_id, p_currency)
    ON CONFLICT (member_id, currency) DO UPDATE SET updated_at = w.updated_at
    RETURNING w.principal, w.held_principal, w.bonus, w.recharge_count INTO before;
  -- held principal is stored value too: it counts against the cap
  IF before.principal + before.held_principal + before.bonus + p_amount
      > (caps ->> 'max_balance')::bigint THEN
    RAISE EXCEPTION 'balance_limit_exceeded' USING ERRCODE = 'P0001', DETAIL = kind;
  END IF;

  -- ---- risk: frozen wallets and the short-window amount rules (rules/risk.py) ----------
  -- After the wallet lock, so an ops freeze (which locks the member's wallets) is seen.
  IF EXISTS (SELECT FROM frozen_wallets f WHERE f.member_id = p_member_id) THEN
    RAISE EXCEPTION 'wallet_frozen' USING ERRCODE = 'P0001';
  END IF;
  -- Each rule: what was recharged in its window (an index range per member, payment
  -- reference or terminal) plus this recharge, above the threshold -> a finding.
  FOR risk_rule IN SELECT * FROM jsonb_to_recordset(p_risk_rules)
      AS r(name text, scope text, window_minutes int, threshold bigint, action text) LOOP
    IF risk_rule.scope = 'member' THEN
      SELECT coalesce(sum(r.amount), 0) INTO window_sum FROM recharges r
        WHERE r.member_id = p_member_id AND r.currency = p_currency
          AND r.created_at > p_now - make_interval(mins => risk_rule.window_minutes);
    ELSIF risk_rule.scope = 'payment_reference' THEN
      SELECT coalesce(sum(r.amount), 0) INTO window_sum FROM recharges r
        WHERE r.payment_reference = p_payment_reference AND r.currency = p_currency
          AND r.created_at > p_now - make_interval(mins => risk_rule.window_minutes);
    ELSIF risk_rule.scope = 'terminal' AND p_terminal_id IS NOT NULL THEN
      SELECT coalesce(sum(r.amount), 0) INTO window_sum FROM recharges r
        WHERE r.terminal_id = p_terminal_id AND r.currency = p_currency
          AND r.created_at > p_now - make_interval(mins => risk_rule.window_minutes);
    ELSE
      window_sum := 0;
    END IF;
    IF window_sum + p_amount > risk_rule.threshold THEN
      findings := findings || jsonb_build_array(jsonb_build_object(
        'rule', risk_rule.name, 'action', risk_rule.action,
        'detail', format('%s recharged per %s in %s min, this one included (above %s)',
                         window_sum + p_amount, risk_rule.scope, risk_rule.window_minutes,
                         risk_rule.threshold)));
      principal_is_held := principal_is_held OR risk_rule.action IN ('hold_recharge', 'freeze');
      IF risk_rule.action = 'freeze' AND freezing IS NULL THEN
        freezing := risk_rule.name;
      END IF;
    END IF;
  END LOOP;
  IF freezing IS NOT NULL THEN
    INSERT INTO frozen_wallets (member_id, frozen_at, reason, actor)
      VALUES (p_member_id, p_now, 'risk rule ' || freezing, 'rule:' || freezing);
    INSERT INTO wallet_freezes (freeze_id, member_id, action, reason, actor, recharge_id, at)
      VALUES (p_freeze_event_id, p_member_id, 'freeze', 'risk rule ' || freezing,
              'rule:' || freezing, p_recharge_id, p_now);
    INSERT INTO outbox (event_id, topic, key, ce_type, headers, payload)
      VALUES (p_freeze_event_id, p_topic, p_member_id, p_freeze_ce_type, p_freeze_headers,
        convert_to((p_freeze_payload || jsonb_build_object(
          'reason', 'risk rule ' || freezing, 'actor', 'rule:' || freezing))::text, 'UTF8'));
  END IF;
  -- ---- end of risk ---------------------------------------------------------------------

  UPDATE wallets AS w
    SET principal = w.principal + CASE WHEN principal_is_held THEN 0 ELSE p_amount END,
      held_principal = w.held_principal + CASE WHEN principal_is_held THEN p_amount ELSE 0 END,
      lifetime_recharged = w.lifetime_recharged + p_amount,
      recharge_count = w.recharge_count + 1, updated_at = p_now
    WHERE w.member_id = p_member_id AND w.currency = p_currency
    RETURNING w.principal, w.held_principal, w.bonus, w.lifetime_recharged INTO after;

  INSERT INTO recharges (recharge_id, member_id, currency, amount, payment_method,
      payment_reference, store_id, terminal_id, channel, pos_reference, created_at,
      principal_held, risk_reasons)
    VALUES (p_recharge_id, p_member_id, p_currency, p_amount, p_payment_method,
      p_payment_reference, p_store_id, p_terminal_id, p_channel, p_pos_reference, p_now,
      principal_is_held, findings);
  INSERT INTO lots (lot_id, member_id, currency, kind, source_kind, source_id, recharge_id,
      amount, remaining, created_at, held)
    VALUES (p_lot_id, p_member_id, p_currency, 'principal', 'recharge', p_recharge_id::text,
      p_recharge_id, p_amount, p_amount, p_now, principal_is_held);
  INSERT INTO journal_entries (entry_id, member_id, kind, source_id, reason, occurred_at)
    VALUES (p_entry_id, p_member_id, 'recharge', p_recharge_id::text, 'recharge', p_now);
  INSERT INTO journal_lines (entry_id, line_no, account, member_id, currency, amount)
    SELECT p_entry_id, l.line_no, l.account, l.member_id, p_currency, l.amount
    FROM ROWS FROM (jsonb_to_recordset(p_lines) AS (account text, member_id text, amount bigint))
      WITH ORDINALITY AS l(account, member_id, amount, line_no);

  INSERT INTO outbox (event_id, topic, key, ce_type, headers, payload)
    VALUES (p_event_id, p_topic, p_member_id, p_ce_type, p_headers, convert_to((p_payload
      || jsonb_build_object('is_first_recharge', before.recharge_count = 0,
                            'lifetime_recharged', after.lifetime_recharged,
                            'card_kind', kind,
                            'risk_reasons', findings, 'principal_held', principal_is_held))::text, 'UTF8'));

  receipt := convert_to(jsonb_build_object(
      'recharge_id', p_recharge_id, 'member_id', p_member_id, 'amount', p_amount,
      'currency', p_currency, 'principal_balance', after.principal,
      'bonus_balance', after.bonus, 'balance', after.principal + after.bonus,
      'card_kind', kind,
      'held_principal', after.held_principal,
      'status', CASE WHEN principal_is_held THEN 'held' ELSE 'completed' END, 'risk_reasons', findings,
      'bonus', jsonb_build_object('status', 'pending'), 'created_at', p_now_text)::text, 'UTF8');
  INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response)
    VALUES (p_scope, p_key, p_hash, 201, receipt);
  RETURN QUERY SELECT 'created'::text, 201, receipt;
END $$

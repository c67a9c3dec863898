-- Encrypted secret ballots (issue 28; README "Secret ballots"; api/meetings/ballot-crypto.ts).
--
-- A secret ballot is written only as ciphertexts under the motion's public key, with the proofs
-- that it is well formed, and the voter's tracker (a fingerprint of the ciphertexts). The
-- private key is derived in the service's memory and never stored. The ballots stay after close:
-- they are the motion's bulletin board, which anyone may check against the decrypted totals.
-- `choice` and `kept` remain only for ballots cast before this migration (counted in clear at
-- close and then deleted, as before); no new row fills them.
-- lock: ballot_box and motions, ACCESS EXCLUSIVE for milliseconds: columns added without a default
-- are catalogue changes, and the CHECK scans ballot_box, which holds only open motions' ballots
-- (it is emptied at close). Run it outside a meeting evening all the same.
alter table ballot_box alter column choice drop not null;
alter table ballot_box add column tracker text;
alter table ballot_box add column ballot jsonb;
alter table ballot_box add constraint ballot_box_sealed_or_legacy
  check ((ballot is null) <> (choice is null) and (ballot is null) = (tracker is null));

-- At close: the aggregate of the ballots (and of the room's paper count, encrypted), the totals
-- decrypted from it and the proofs of that decryption — the board's last part.
alter table motions add column tally jsonb;

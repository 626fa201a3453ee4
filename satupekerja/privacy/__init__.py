"""Privacy: what keeps personal data where it belongs.

The column policy and HMAC pseudonyms of the analytics tier (:mod:`.pseudonyms`), the HMAC-chained audit log
of exports and look-ups (:mod:`.audit`) and the register of erasure and correction requests
(:mod:`.subject_requests`).
"""

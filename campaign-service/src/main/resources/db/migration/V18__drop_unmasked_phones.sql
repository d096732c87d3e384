-- Phones reported with a star somewhere were kept as they came ("13800138000*" showed staff nearly the whole
-- number). A masked phone shows at most the first three and last four digits around one run of at least four
-- stars (domain.PhoneMask): a stored one with a country code loses it, as PhoneMask now takes it off, and any other
-- is dropped, as PhoneMask now drops it (which digits its stars stand for is unknown). The next event with the
-- member's phone stores it again.
UPDATE member_contact SET masked_phone = substr(masked_phone, 5)
WHERE masked_phone LIKE '0086%' AND strpos(masked_phone, '*') > 0;
UPDATE member_contact SET masked_phone = substr(masked_phone, 3)
WHERE masked_phone LIKE '86%' AND length(masked_phone) = 13 AND strpos(masked_phone, '*') > 0;
DELETE FROM member_contact WHERE masked_phone !~ '^[0-9]{0,3}\*{4,}[0-9]{0,4}$' OR length(masked_phone) < 7;

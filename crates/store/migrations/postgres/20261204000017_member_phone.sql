-- Staff find a member by the phone number it gave (the members list's search box).
CREATE INDEX members_phone ON members (phone);

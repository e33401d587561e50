-- The manpower department's roles: its officers and job-training instructors.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'province_officer',
    'city_officer', 'district_officer', 'trainer', 'mentor', 'curator', 'buyer', 'partner',
    'member', 'manpower_officer', 'instructor'));

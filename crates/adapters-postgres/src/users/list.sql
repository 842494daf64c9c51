SELECT id, email, display_name, password_hash, role, status,
       email_verified, version, created_at, updated_at
  FROM users
 WHERE ($1::text IS NULL OR lower(email) LIKE (lower($1) || '%'))
   AND ($2::text IS NULL OR role = $2)
   AND ($3::text IS NULL OR status = $3)
   AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5::uuid))
 ORDER BY created_at DESC, id DESC
 LIMIT $6

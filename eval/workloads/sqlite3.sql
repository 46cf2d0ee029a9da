-- The sqlite3 campaign's queries (eval/workloads/sqlite3.sh): tables,
-- indexes, joins, aggregates, window functions, a CTE, JSON, FTS5, an
-- update and a delete in a transaction, a rollback, a view, a trigger and an
-- integrity check. Deterministic: the output is compared byte for byte with
-- sqlite3.expected.
.headers off
.mode list
PRAGMA page_size = 4096;
CREATE TABLE customer(id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT, since INTEGER);
CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER REFERENCES customer(id),
                    amount REAL, item TEXT, placed INTEGER);
CREATE INDEX orders_customer ON orders(customer);
CREATE INDEX orders_item ON orders(item, amount);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)
INSERT INTO customer SELECT i, 'customer ' || i, CASE i % 5 WHEN 0 THEN 'Oslo' WHEN 1 THEN 'Lyon'
  WHEN 2 THEN 'Porto' WHEN 3 THEN 'Graz' ELSE 'Turku' END, 2000 + i % 23 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
INSERT INTO orders SELECT i, 1 + (i * 7) % 400, (i * 37 % 1000) / 10.0,
  'item-' || (i % 17), 1700000000 + i * 3600 FROM n;
SELECT count(*), sum(amount), min(amount), max(amount) FROM orders;
SELECT city, count(*), round(avg(amount), 2) FROM customer JOIN orders ON orders.customer = customer.id
  GROUP BY city ORDER BY city;
SELECT item, count(*) FROM orders WHERE amount > 50 GROUP BY item HAVING count(*) > 80 ORDER BY item;
SELECT name, total FROM (SELECT customer, sum(amount) AS total FROM orders GROUP BY customer)
  JOIN customer ON customer.id = customer ORDER BY total DESC, name LIMIT 5;
SELECT id, amount, rank() OVER (PARTITION BY item ORDER BY amount DESC, id) FROM orders
  WHERE item = 'item-3' ORDER BY amount DESC, id LIMIT 6;
WITH monthly AS (SELECT strftime('%Y-%m', placed, 'unixepoch') AS m, sum(amount) AS s FROM orders GROUP BY m)
SELECT m, round(s, 1), round(sum(s) OVER (ORDER BY m), 1) FROM monthly ORDER BY m LIMIT 4;
SELECT json_object('id', id, 'name', name, 'tags', json_array(city, since)) FROM customer WHERE id IN (3, 17, 256);
SELECT json_extract('{"a":[1,2,{"b":"deep"}]}', '$.a[2].b'), json_array_length('[1,2,3,4]');
CREATE VIRTUAL TABLE notes USING fts5(body);
INSERT INTO notes(body) SELECT 'order ' || id || ' of ' || item || CASE WHEN amount > 90 THEN ' large urgent' ELSE ' small' END FROM orders WHERE id <= 500;
SELECT count(*) FROM notes WHERE notes MATCH 'urgent AND large';
SELECT rowid FROM notes WHERE notes MATCH '"item-4" AND small' ORDER BY rowid LIMIT 5;
CREATE VIEW big_spenders AS SELECT customer, sum(amount) AS s FROM orders GROUP BY customer HAVING s > 400;
CREATE TABLE audit(what TEXT, n INTEGER);
CREATE TRIGGER orders_deleted AFTER DELETE ON orders BEGIN INSERT INTO audit VALUES ('deleted', old.id); END;
BEGIN;
UPDATE orders SET amount = amount * 1.1 WHERE item IN ('item-1', 'item-2');
DELETE FROM orders WHERE amount < 5;
COMMIT;
SELECT count(*), round(sum(amount), 2) FROM orders;
SELECT count(*) FROM audit;
BEGIN;
DELETE FROM orders;
ROLLBACK;
SELECT count(*) FROM orders;
SELECT count(*), round(max(s), 2) FROM big_spenders;
SELECT upper(substr(name, 1, 3)) || '|' || replace(city, 'o', '0') || '|' || printf('%05.1f', since / 3.0)
  FROM customer ORDER BY id DESC LIMIT 3;
SELECT group_concat(id, ',') FROM (SELECT id FROM customer WHERE city = 'Graz' ORDER BY id LIMIT 8);
PRAGMA integrity_check;

# benign: http.HTTPStatus
import http

OK = http.HTTPStatus.OK

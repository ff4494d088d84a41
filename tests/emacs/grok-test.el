;;; grok-test.el --- helpers for driving eglot against grok-lsp in batch Emacs  -*- lexical-binding: t; -*-

;; Loaded by tests/emacs/conftest.py before a scenario.  A scenario is the body of
;; `grok-test-run': it returns an alist that is written as JSON to $GROK_TEST_RESULT,
;; together with every JSON-RPC message eglot exchanged.  Any error is written as
;; {"error": ...} instead, so that pytest fails with the reason.

(require 'cl-lib)
(require 'json)
(require 'eglot)
(require 'python)
(require 'url)

(defvar grok-test-messages nil
  "Every JSON-RPC message of the session, newest first: (ORIGIN KIND JSON).")

(defvar grok-test-wait-seconds 30
  "The longest any single wait of a scenario may take.")

(defun grok-test--record (_connection origin &rest plist)
  "Keep each message eglot sends or receives (a `jsonrpc-event-hook' function)."
  (let ((json (plist-get plist :json)))
    (when (and json (memq origin '(client server)))
      (push (list origin (plist-get plist :kind) json) grok-test-messages))))

(add-hook 'jsonrpc-event-hook #'grok-test--record)

(defun grok-test-env-json (name)
  "The JSON value of environment variable NAME: objects as plists, arrays as vectors."
  (json-parse-string (getenv name) :object-type 'plist :false-object :json-false))

(defun grok-test-wait (description predicate &optional seconds)
  "Process output until PREDICATE is non-nil; fail naming DESCRIPTION after SECONDS."
  (let ((deadline (+ (float-time) (or seconds grok-test-wait-seconds)))
        value)
    (while (and (not (setq value (funcall predicate)))
                (< (float-time) deadline))
      (accept-process-output nil 0.05)
      ;; Timers (eglot runs showDocument's display in one) run only between commands.
      (sit-for 0))
    (or value (error "Timed out waiting for %s" description))))

(defun grok-test-settle ()
  "Let pending timers and output run (eglot displays a shown document in a timer)."
  (dotimes (_ 5)
    (accept-process-output nil 0.02)
    (sit-for 0)))

(defun grok-test-edit (file &optional configured)
  "Visit FILE in `python-mode' with grok-lsp managing it through eglot; return the buffer.
The server is this checkout's, unless CONFIGURED: then `eglot-server-programs' as set."
  (let ((buffer (find-file-noselect (expand-file-name file))))
    (switch-to-buffer buffer)
    (python-mode)
    (let ((eglot-server-programs
           (if configured
               eglot-server-programs
             `((python-mode . ,(append (grok-test-env-json "GROK_TEST_CMD") nil
                                       (list :initializationOptions
                                             (grok-test-env-json "GROK_TEST_OPTIONS"))))))))
      (apply #'eglot (eglot--guess-contact)))
    (grok-test-wait "eglot to manage the buffer"
                    (lambda () (with-current-buffer buffer (eglot-managed-p))))
    buffer))

(defun grok-test-region (first-line last-line)
  "Activate the region from the start of FIRST-LINE to the end of LAST-LINE (1-based)."
  (goto-char (point-min))
  (forward-line (1- first-line))
  (push-mark (point) t t)
  (forward-line (- last-line first-line))
  (end-of-line)
  (setq mark-active t)
  (transient-mark-mode 1))

(defun grok-test-code-actions ()
  "The code actions the server offers for the active region."
  (eglot-code-actions (region-beginning) (region-end)))

(defun grok-test-action (title)
  "The code action of the active region whose title is TITLE."
  (or (cl-find title (grok-test-code-actions)
               :key (lambda (action) (plist-get action :title)) :test #'equal)
      (error "No code action titled %S" title)))

(defun grok-test-choose-action (title)
  "Run the code action TITLE as a user would: `eglot-code-actions' and its menu."
  (let ((last-nonmenu-event ?\r)      ; chosen from the keyboard: the minibuffer menu
        (completing-read-function
         (lambda (_prompt collection &rest _)
           (or (cl-find title (all-completions "" collection) :test #'equal)
               (error "The menu has no %S" title)))))
    (call-interactively #'eglot-code-actions)))

(defun grok-test-execute (command argument)
  "Run COMMAND with ARGUMENT (a plist; nil for {}) as eglot does: synchronously, with its timeout."
  (eglot-execute (eglot-current-server)
                 (list :command command
                       :arguments (vector (or argument (make-hash-table))))))

(defun grok-test-uri ()
  "The LSP URI of the current buffer."
  (plist-get (eglot--TextDocumentIdentifier) :uri))

(defun grok-test-range (first-line last-line)
  "An LSP range over whole lines FIRST-LINE..LAST-LINE (1-based)."
  (list :start (list :line (1- first-line) :character 0)
        :end (list :line last-line :character 0)))

(defun grok-test-server-messages (method)
  "The params of every message the server sent with METHOD, oldest first."
  (let (found)
    (dolist (entry grok-test-messages)
      (when (eq (car entry) 'server)
        (let ((message (json-parse-string (nth 2 entry) :object-type 'plist
                                          :null-object nil :false-object :json-false)))
          (when (equal (plist-get message :method) method)
            (push (plist-get message :params) found)))))
    found))

(defun grok-test-progress-ends ()
  "The `end' values of every $/progress the server sent, oldest first."
  (cl-loop for params in (grok-test-server-messages "$/progress")
           for value = (plist-get params :value)
           when (equal (plist-get value :kind) "end") collect value))

(defun grok-test-api-requests ()
  "The requests the simulator recorded so far (its GET /_sim/requests), oldest first."
  (let* ((root (replace-regexp-in-string "/v1/?\\'" "" (getenv "XAI_BASE_URL")))
         (url-proxy-services nil)        ; loopback only, whatever the environment says
         (buffer (url-retrieve-synchronously (concat root "/_sim/requests") t t 5)))
    (unless buffer (error "The simulator did not answer"))
    (with-current-buffer buffer
      (goto-char (point-min))
      (re-search-forward "^\r?$")
      (prog1 (json-parse-buffer :object-type 'plist :array-type 'list
                                :null-object nil :false-object nil)
        (kill-buffer)))))

(defun grok-test-lines (&optional buffer)
  "BUFFER's text as a vector of lines."
  (with-current-buffer (or buffer (current-buffer))
    (vconcat (split-string (buffer-substring-no-properties (point-min) (point-max)) "\n"))))

(defun grok-test--write (value)
  (let ((coding-system-for-write 'utf-8))
    (with-temp-file (getenv "GROK_TEST_RESULT")
      (insert (json-encode value)))))

(defun grok-test--messages-json ()
  (vconcat (mapcar (lambda (entry)
                     `((origin . ,(symbol-name (nth 0 entry)))
                       (kind . ,(format "%s" (nth 1 entry)))
                       (json . ,(nth 2 entry))))
                   (reverse grok-test-messages))))

(defun grok-test-run (scenario)
  "Run SCENARIO (a function returning an alist), write the result, leave Emacs."
  (let ((status 0))
    (condition-case err
        (let ((result (funcall scenario)))
          (grok-test--write `((result . ,result) (messages . ,(grok-test--messages-json)))))
      (error
       (setq status 1)
       (grok-test--write `((error . ,(error-message-string err))
                           (messages . ,(grok-test--messages-json))))))
    (ignore-errors (let ((server (eglot-current-server)))
                     (when server (eglot-shutdown server))))
    (kill-emacs status)))

(provide 'grok-test)
;;; grok-test.el ends here
